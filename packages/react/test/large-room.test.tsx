// usePresence in a large room (protocol 1.1): the threshold is 3 users here, so a handful of
// clients make the room windowed; the hook shows the exact count, its window, who it follows,
// and pages of everyone.
import { closeAll, PartyServer, TestClient, token, PromptCloseWebSocket as WS } from "@herenow/testing";
import { act, cleanup, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { usePresence } from "../src";
import { ids, mount } from "./helpers";

let server: PartyServer;
const crowd: TestClient[] = [];
const wait = { timeout: 5000 };

beforeAll(async () => {
  server = await PartyServer.start({ HERENOW_WINDOW_THRESHOLD: "3", HERENOW_LEAVE_GRACE_MS: "0" });
});
afterEach(() => {
  cleanup();
  closeAll(crowd.splice(0));
});
afterAll(async () => {
  await server?.dispose();
});

async function join(room: string, id: string): Promise<TestClient> {
  const client = await TestClient.open(server.url(room, { token: await token({ id, name: id }) }));
  crowd.push(client);
  await client.next("presence:sync", 0);
  return client;
}

describe("usePresence in a large room", () => {
  it("shows the count, a window, the people it follows and pages of everyone", async () => {
    const room = "hook-large";
    for (const id of ["u-1", "u-2"]) await join(room, id);
    const me = await token({ id: "u-me", name: "Me" });
    const hook = mount(() => usePresence({ host: server.host, room, token: me, window: 1, WebSocket: WS }));
    await waitFor(() => expect(hook.result.current.count).toBe(3), wait);
    expect(hook.result.current.windowed).toBe(false);
    expect(ids(hook.result.current.users)).toEqual(["u-1", "u-2", "u-me"]);

    for (const id of ["u-3", "u-4", "u-5"]) await join(room, id);
    await waitFor(() => expect(hook.result.current.count).toBe(6), wait);
    expect(hook.result.current.windowed).toBe(true);
    expect(ids(hook.result.current.users)).toEqual(["u-1", "u-me"]);

    // a follow per keystroke: the room takes five a second and drops the rest, the hook sends the newest last
    act(() => {
      for (let n = 0; n < 12; n++) hook.result.current.follow([n < 11 ? `u-${3 + (n % 2)}` : "u-5"]);
    });
    await waitFor(() => expect(ids(hook.result.current.users)).toEqual(["u-1", "u-me", "u-5"]), wait);

    expect(hook.result.current.hasMore).toBe(true);
    act(() => hook.result.current.loadMore(4));
    await waitFor(() => expect(ids(hook.result.current.listed)).toEqual(["u-1", "u-2", "u-me", "u-3"]), wait);
    expect(hook.result.current.hasMore).toBe(true);
    act(() => hook.result.current.loadMore(4));
    await waitFor(() => expect(hook.result.current.hasMore).toBe(false), wait);
    expect(ids(hook.result.current.listed)).toEqual(["u-1", "u-2", "u-me", "u-3", "u-4", "u-5"]);

    // the followed user is kept across a reconnect: the room forgot them with the old socket.
    // Without a grace (HERENOW_LEAVE_GRACE_MS 0) the reconnect may be a leave and a join, which
    // moves "u-me" behind "u-5" in join order: which of the two happened is timing, not the point
    act(() => hook.result.current.reconnect());
    await waitFor(() => expect(hook.result.current.status).toBe("reconnecting"), wait);
    await waitFor(() => expect(hook.result.current.status).toBe("open"), wait);
    await waitFor(() => expect(ids(hook.result.current.users).sort()).toEqual(["u-1", "u-5", "u-me"]), wait);
  });

  it("asks for the full list with window: false, however large the room", async () => {
    const room = "hook-large-full";
    for (const id of ["u-1", "u-2", "u-3", "u-4"]) await join(room, id);
    const me = await token({ id: "u-me", name: "Me" });
    const hook = mount(() => usePresence({ host: server.host, room, token: me, window: false, WebSocket: WS }));
    await waitFor(() => expect(hook.result.current.count).toBe(5), wait);
    expect(hook.result.current.windowed).toBe(false);
    expect(ids(hook.result.current.users)).toEqual(["u-1", "u-2", "u-3", "u-4", "u-me"]);
  });
});
