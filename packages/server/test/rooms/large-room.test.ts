// Large rooms (protocol 1.1): above HERENOW_WINDOW_THRESHOLD users, a client that asked for a
// window gets the first users, itself and those it follows, exact counts, and pages of everyone.
// The threshold is 4 here so a handful of sockets make a "large" room.

import { refusal, type TestClient } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { roomSuite } from "./workers";

const party = roomSuite({ HERENOW_WINDOW_THRESHOLD: "4", HERENOW_LEAVE_GRACE_MS: "0" });
const user = (name: string) => ({ id: `u-${name}`, name });

/** Frames of a type that arrived after index `from`. */
const since = (client: TestClient, from: number, type: string) =>
  client.messages.slice(from).filter((m) => m.type === type);

describe("a room above the window threshold", () => {
  it("gives windowed clients their window and exact counts, and v1 clients the full list", async () => {
    const room = "large-1";
    const watcher = await party.connect(room, { user: user("watch"), window: 2 });
    expect(watcher.snapshot).toMatchObject({ count: 1, window: null });
    const classic = await party.connect(room, { user: user("classic") });
    const crowd: TestClient[] = [];
    for (const name of ["a", "b", "c", "d", "e"]) {
      crowd.push(await party.connect(room, { user: user(name) }));
    }
    // seven users: the room switched to windows and resynced the watcher
    await watcher.waitFor(() => watcher.snapshot.count === 7, 3000, "count 7");
    expect(watcher.snapshot.window).toEqual({ size: 2, follows: [] });
    expect(watcher.userIds()).toEqual(["u-watch", "u-classic"]);
    await classic.waitFor(() => classic.userIds().length === 7, 3000, "classic sees all 7");
    expect(classic.snapshot.window).toBeNull();
    expect(classic.gaps).toBe(0);

    // someone outside the window changes state: the watcher hears nothing of it
    let from = watcher.messages.length;
    crowd[3]?.send({ type: "presence:state", state: { typing: true } });
    await classic.waitFor(() => classic.view.user("u-d")?.state.typing === true, 3000, "classic sees d typing");
    expect(since(watcher, from, "presence:diff")).toEqual([]);

    // the second of the window leaves: the next in join order moves in
    from = watcher.messages.length;
    classic.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.userIds().join() === "u-watch,u-a", 3000, "a moves into the window");
    expect(since(watcher, from, "presence:diff")[0]).toMatchObject({
      left: ["u-classic"],
      joined: [{ id: "u-a" }],
      count: 6,
    });

    // following someone far down the list brings them into the window, with their changes
    watcher.send({ type: "presence:follow", ids: ["u-e", "u-nobody"] });
    await watcher.waitFor(() => watcher.userIds().join() === "u-watch,u-a,u-e", 3000, "e followed");
    expect(watcher.snapshot.window).toEqual({ size: 2, follows: ["u-e", "u-nobody"] });
    crowd[4]?.send({ type: "presence:state", state: { hand: "raised" } });
    await watcher.waitFor(() => watcher.view.user("u-e")?.state.hand === "raised", 3000, "e's state");

    // a departure outside the window reaches the watcher as a count only
    from = watcher.messages.length;
    crowd[2]?.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.snapshot.count === 5, 3000, "count 5");
    expect(since(watcher, from, "presence:count")).toEqual([
      expect.objectContaining({ type: "presence:count", count: 5, anonymous: 0 }),
    ]);
    expect(since(watcher, from, "presence:diff")).toEqual([]);
    expect(watcher.userIds()).toEqual(["u-watch", "u-a", "u-e"]);
  });

  it("pages through everyone here with cursors that survive departures", async () => {
    const room = "large-pages";
    const clients: TestClient[] = [];
    for (const name of ["p1", "p2", "p3", "p4", "p5", "p6"])
      clients.push(await party.connect(room, { user: user(name) }));
    const reader = await party.connect(room, { user: user("reader"), window: 1 });
    await reader.waitFor(() => reader.snapshot.count === 7, 3000, "count 7");
    let from = reader.messages.length;
    reader.send({ type: "presence:list", limit: 3 });
    const first = await reader.next("presence:page", from);
    expect(first).toMatchObject({ after: null, count: 7 });
    expect(first.users.map((u: { id: string }) => u.id)).toEqual(["u-p1", "u-p2", "u-p3"]);
    // the cursor's own user leaves before the next page is asked for
    clients[2]?.send({ type: "presence:leave" });
    await reader.waitFor(() => reader.snapshot.count === 6, 3000, "count 6");
    from = reader.messages.length;
    reader.send({ type: "presence:list", after: first.next, limit: 3 });
    const second = await reader.next("presence:page", from);
    expect(second.users.map((u: { id: string }) => u.id)).toEqual(["u-p4", "u-p5", "u-p6"]);
    from = reader.messages.length;
    reader.send({ type: "presence:list", after: second.next });
    const last = await reader.next("presence:page", from);
    expect(last.users.map((u: { id: string }) => u.id)).toEqual(["u-reader"]);
    expect(last.next).toBeNull();
  });

  it("goes back to full lists below 90% of the threshold", async () => {
    const room = "large-back";
    const watcher = await party.connect(room, { user: user("w"), window: 1 });
    const others: TestClient[] = [];
    for (const name of ["x1", "x2", "x3", "x4"]) others.push(await party.connect(room, { user: user(name) }));
    await watcher.waitFor(() => watcher.snapshot.window !== null && watcher.snapshot.count === 5, 3000, "windowed");
    // 4 users is not below 90% of 4: still windowed; 3 is
    others[0]?.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.snapshot.count === 4, 3000, "count 4");
    expect(watcher.snapshot.window).not.toBeNull();
    others[1]?.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.snapshot.window === null, 3000, "full again");
    expect(watcher.userIds()).toEqual(["u-w", "u-x3", "u-x4"]);
  });
});

describe("bad large-room input", () => {
  it.each(["0", "1001", "abc", "2.5", ""])("refuses window=%j before the upgrade with 400", async (size) => {
    const { status, body } = await refusal(party.server.url("large-bad", { window: size }));
    expect(status).toBe(400);
    expect(body).toMatch(/window must be a whole number of users from 1 to 1000/);
  });

  it("answers malformed follow and list messages with invalid_message and keeps the socket", async () => {
    const client = await party.connect("large-bad-msg", { user: user("m"), window: 5 });
    for (const bad of [
      { type: "presence:follow", ids: "u-1" },
      { type: "presence:follow", ids: Array.from({ length: 101 }, (_, n) => `u-${n}`) },
      { type: "presence:list", limit: 0 },
      { type: "presence:list", after: "not-a-cursor" },
    ]) {
      const from = client.messages.length;
      client.send(bad);
      const error = await client.next("presence:error", from);
      expect(error.code).toBe("invalid_message");
    }
    client.send({ type: "presence:heartbeat" });
    await client.next("presence:pong");
    expect(client.closeEvent).toBeNull();
  });
});
