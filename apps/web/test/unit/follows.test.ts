// @vitest-environment jsdom
// The people a visitor follows in a large room outlive a reload, also under React's
// StrictMode, which `next dev` turns on and which runs every effect twice on mount.
import type { PresenceMember } from "@herenow/react";
import { act, createElement, StrictMode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { CrowdPanel } from "@/components/room/crowd-panel";
import type { ChatPresenceState } from "@/components/room/types";
import { domRoot } from "./dom-root";

const ROOM = "stage";
const KEY = `herenow:follows:${ROOM}`;

function member(id: string, name: string): PresenceMember<ChatPresenceState> {
  return { id, name, info: {}, connections: 1, state: {}, since: 0 } as PresenceMember<ChatPresenceState>;
}

const USERS = [member("u1", "Ann"), member("u2", "Bo"), member("u7", "Cy")];

describe("following in a large room", () => {
  const dom = domRoot();
  beforeEach(() => localStorage.clear());

  /** Renders the panel in StrictMode, as `next dev` does, and returns the follow spy. */
  function render(strict: boolean) {
    const follow = vi.fn<(ids: readonly string[]) => void>();
    const panel = createElement(CrowdPanel, {
      room: ROOM,
      count: 2000,
      anonymous: 0,
      users: USERS,
      selfId: "u1",
      listed: [],
      hasMore: true,
      follow,
      loadMore: () => undefined,
    });
    dom.render(strict ? createElement(StrictMode, null, panel) : panel);
    return follow;
  }

  function followButton(name: string): HTMLButtonElement {
    const row = dom.container.querySelector(`[data-testid="online-user"][data-user-name="${name}"]`);
    const button = row?.querySelector("button.follow-button");
    if (!(button instanceof HTMLButtonElement)) throw new Error(`no follow button for ${name}`);
    return button;
  }

  for (const strict of [true, false]) {
    it(`keeps the saved follows on a reload${strict ? " under StrictMode" : ""}`, () => {
      localStorage.setItem(KEY, JSON.stringify(["u7"]));
      const follow = render(strict);
      expect(followButton("Cy").getAttribute("aria-pressed")).toBe("true");
      expect(followButton("Bo").getAttribute("aria-pressed")).toBe("false");
      expect(JSON.parse(localStorage.getItem(KEY) ?? "null")).toEqual(["u7"]);
      expect(follow).toHaveBeenLastCalledWith(["u7"]);
    });
  }

  it("saves a follow and tells the room, and forgets it again", () => {
    const follow = render(true);
    act(() => followButton("Bo").click());
    expect(JSON.parse(localStorage.getItem(KEY) ?? "null")).toEqual(["u2"]);
    expect(follow).toHaveBeenLastCalledWith(["u2"]);
    expect(followButton("Bo").getAttribute("aria-pressed")).toBe("true");
    act(() => followButton("Bo").click());
    expect(JSON.parse(localStorage.getItem(KEY) ?? "null")).toEqual([]);
    expect(follow).toHaveBeenLastCalledWith([]);
  });

  it("takes a damaged entry for no follows", () => {
    localStorage.setItem(KEY, "{not json");
    const follow = render(true);
    expect(followButton("Cy").getAttribute("aria-pressed")).toBe("false");
    expect(follow).toHaveBeenLastCalledWith([]);
  });
});
