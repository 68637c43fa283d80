import { sleep, TestClient, token } from "@herenow/testing";
import { waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { usePresence } from "../src";
import { countingWebSocket, mount, reactSuite } from "./helpers";

// The reload of protocol 1.2: the tab keeps each room's connection id and last token in
// sessionStorage and comes back under that id inside the away grace of its 1001 close.
const party = reactSuite();
const wait = { timeout: 5000 };

const queryOf = (url: string | undefined) => new URL(url ?? "ws://x/").searchParams;

/** A tab of user `id` whose getToken counts its calls and signs a new token each time. */
function tabOf(room: string, id: string) {
  const calls: string[] = [];
  const counting = countingWebSocket();
  const getToken = async () => {
    const signed = await token({ id, name: id }, { expiresIn: `${10 + calls.length}m` });
    calls.push(signed);
    return signed;
  };
  return {
    calls,
    counting,
    mount: (options: { reload?: boolean } = {}) =>
      mount(() => usePresence({ host: party.server.host, room, getToken, WebSocket: counting.WebSocket }), options),
  };
}

describe("a reload", () => {
  it("comes back under the same id with the kept token, before any token request, and nobody sees it", async () => {
    const watcher = await TestClient.open(party.server.url("reload", { token: await token({ id: "u-w", name: "W" }) }));
    try {
      const tab = tabOf("reload", "u-r");
      const first = tab.mount();
      await watcher.waitForUsers(["u-w", "u-r"]);
      await waitFor(() => expect(first.result.current.self?.connectionId).toBeDefined(), wait);
      const id = first.result.current.self?.connectionId;
      const from = watcher.messages.length;

      // the page unloads: the browser closes the socket with 1001, and the next page starts
      first.result.current.socket?.close(1001, "reload");
      first.unmount();
      const tokensBefore = tab.calls.length;
      const second = tab.mount({ reload: true });
      await waitFor(() => expect(second.result.current.status).toBe("open"), wait);

      const query = queryOf(tab.counting.urls.at(-1));
      expect(query.get("_pk")).toBe(id);
      // the token of the page before, not one fetched for this connect
      expect(query.get("token")).toBe(tab.calls[tokensBefore - 1]);
      // self comes with the sync, which may arrive a moment after the socket opened
      await waitFor(() => expect(second.result.current.self?.connectionId).toBe(id), wait);
      // past the away grace (1.5 s): a reload that counted as a leave would show by now
      await sleep(2500);
      expect(watcher.joinsAndLeavesSince(from)).toEqual([]);
      expect(watcher.userIds()).toEqual(["u-w", "u-r"]);
    } finally {
      watcher.close();
    }
  });

  it("fetches a new token first when the kept one has under 30 s to live", async () => {
    const shortLived = await token({ id: "u-s", name: "S" }, { expiresIn: "20s" });
    const counting = countingWebSocket();
    let calls = 0;
    const fresh = await token({ id: "u-s", name: "S" }, { expiresIn: "10m" });
    const hook = (t: () => Promise<string>) => () =>
      usePresence({ host: party.server.host, room: "expiring", getToken: t, WebSocket: counting.WebSocket });
    const first = mount(hook(async () => shortLived));
    await waitFor(() => expect(first.result.current.status).toBe("open"), wait);
    first.unmount();
    const second = mount(
      hook(async () => {
        calls++;
        return fresh;
      }),
      { reload: true },
    );
    await waitFor(() => expect(second.result.current.status).toBe("open"), wait);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(queryOf(counting.urls.at(-1)).get("token")).toBe(fresh);
  });

  it("connects as whoever the app says now when the user changed since the page before", async () => {
    const counting = countingWebSocket();
    const before = await token({ id: "u-before", name: "Before" });
    const after = await token({ id: "u-after", name: "After" });
    const hook = (t: string) => () =>
      usePresence({ host: party.server.host, room: "switch", getToken: async () => t, WebSocket: counting.WebSocket });
    const first = mount(hook(before));
    await waitFor(() => expect(first.result.current.self?.user?.id).toBe("u-before"), wait);
    first.result.current.socket?.close(1001, "reload");
    first.unmount();
    // signed in as someone else, then reloaded: the kept token resumes at once, then gives way
    const second = mount(hook(after), { reload: true });
    await waitFor(() => expect(second.result.current.self?.user?.id).toBe("u-after"), wait);
    await waitFor(() => expect(second.result.current.users.map((u) => u.id)).toEqual(["u-after"]), wait);
  });
});

describe("a duplicated tab", () => {
  it("gets a fresh id from the room and never disturbs the first tab", async () => {
    const watcher = await TestClient.open(party.server.url("dup", { token: await token({ id: "u-w", name: "W" }) }));
    try {
      const tab = tabOf("dup", "u-d");
      const first = tab.mount();
      await watcher.waitForUsers(["u-w", "u-d"]);
      await waitFor(() => expect(first.result.current.self?.connectionId).toBeDefined(), wait);
      const id = first.result.current.self?.connectionId ?? "";
      // a duplicate starts with a copy of the first tab's sessionStorage
      const copy = tab.mount({ reload: true });
      await waitFor(() => expect(copy.result.current.status).toBe("open"), wait);
      // "open" comes with the socket, the connection id with the room's sync after it
      await waitFor(() => expect(copy.result.current.self?.connectionId).toBeDefined(), wait);
      expect(queryOf(tab.counting.urls.at(-1)).get("_pk")).toBe(id);
      const copyId = copy.result.current.self?.connectionId ?? "";
      expect(copyId.startsWith(`${id}.`) && /\.[0-9a-f]{8}$/.test(copyId)).toBe(true);
      await waitFor(() => expect(watcher.snapshot.users.find((u) => u.id === "u-d")?.connections).toBe(2), wait);
      expect(first.result.current.status).toBe("open");
      expect(first.result.current.self?.connectionId).toBe(id);
      // and the duplicate keeps its own id, for its own reloads
      expect(JSON.parse(sessionStorage.getItem(sessionStorage.key(0) ?? "") ?? "{}").id).toBe(copyId);
    } finally {
      watcher.close();
    }
  });
});
