// @vitest-environment jsdom
// How many are here, said the same way by the lobby and by the room, with thousands
// written as thousands: a newcomer saw "2000" in the lobby and "2,001" in the room,
// and "and 97 more are here" in a room of 2,000.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { CrowdPanel } from "@/components/room/crowd-panel";
import { whoIsHere } from "@/components/room/empty-room";
import { OnlinePanel } from "@/components/room/online-panel";
import { RoomList } from "@/components/room-list";
import { countOf, formatCount, headCount } from "@/lib/head-count";
import { domRoot } from "./dom-root";

function users(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `u${i}`,
    name: `Person ${i}`,
    info: {},
    connections: 1,
    state: {},
    since: i,
    status: "active" as const,
    activeAt: i,
  }));
}

describe("counts", () => {
  it("writes thousands with a separator and says one in the singular", () => {
    expect(formatCount(2001)).toBe("2,001");
    expect(countOf(1, "guest")).toBe("1 guest");
    expect(countOf(2000, "guest")).toBe("2,000 guests");
    expect(headCount(2001, 3)).toEqual({ people: 2004, total: "2,004", detail: "2,001 signed in, 3 guests" });
    expect(headCount(0, 0)).toEqual({ people: 0, total: "0", detail: "" });
  });

  it("names a few of a large room and counts the rest from the room's count, not the window", () => {
    const window = users(100).map((user) => user.name);
    expect(whoIsHere(window, 2000, 0, true)).toBe("Person 0, Person 1, Person 2 and 1,997 more are here with you.");
    expect(whoIsHere(window.slice(0, 1), 1, 1200, false)).toBe("Person 0 and 1,200 guests are here.");
    expect(whoIsHere([], 0, 1, true)).toBe("1 guest is here with you.");
    expect(whoIsHere(["Ann"], 1, 0, true)).toBe("Ann is here with you.");
    expect(whoIsHere([], 0, 0, true)).toBe("Only you are here right now.");
  });
});

describe("the lobby and the room", () => {
  const dom = domRoot();
  const { render } = dom;

  function lobbyCount(signedIn: number, guests: number): string | null | undefined {
    const room = { name: "stage", people: signedIn + guests, users: signedIn, anonymous: guests, lastActivityAt: "" };
    const client = new QueryClient();
    render(createElement(QueryClientProvider, { client }, createElement(RoomList, { initialRooms: [room] })));
    const text = dom.container.querySelector(".room-count strong")?.textContent;
    client.clear();
    return text;
  }

  it("give a large room the same number, written the same way", () => {
    expect(lobbyCount(2001, 3)).toBe("2,004");
    expect(dom.container.querySelector(".room-detail")?.textContent).toBe("2,001 signed in, 3 guests");

    render(
      createElement(CrowdPanel, {
        room: "stage",
        count: 2001,
        anonymous: 3,
        users: users(100),
        selfId: "u0",
        listed: [],
        hasMore: true,
        follow: () => undefined,
        loadMore: () => undefined,
      }),
    );
    expect(dom.container.querySelector('[data-testid="head-count"]')?.textContent).toBe("2,004");
    expect(dom.container.querySelector(".crowd-detail")?.textContent).toBe("2,001 signed in, 3 guests");
  });

  it("give a small room the same number", () => {
    expect(lobbyCount(3, 2)).toBe("5");
    render(
      createElement(OnlinePanel, {
        users: users(3),
        anonymous: 2,
        recent: [],
        selfId: "u0",
        selfIsGuest: false,
        live: true,
      }),
    );
    expect(dom.container.querySelector('[data-testid="head-count"]')?.textContent).toBe("5");
  });
});
