import { PartyServer, SECRET, sleep, token, PromptCloseWebSocket as WS } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPresenceClient, type RoomState } from "../src";
import { getRoomSnapshot } from "../src/server";
import { ids, until } from "./helpers";

let server: PartyServer;
const wait = 8000;

beforeAll(async () => {
  server = await PartyServer.start();
});
afterAll(async () => {
  await server?.dispose();
});

const as = (id: string, name = id) => token({ id, name });
/** The room as the server sees it (`GET /parties/main/<room>`). */
const connections = async (room: string) =>
  (
    (await (await fetch(server.httpUrl(room), { headers: { authorization: `Bearer ${SECRET}` } })).json()) as {
      connections: number;
    }
  ).connections;

/** A `ws` class that counts the sockets it opens. */
function counting() {
  const urls: string[] = [];
  class Counting extends WS {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      urls.push(url);
    }
  }
  return { WebSocket: Counting, urls };
}

describe("a client in Node with ws", () => {
  it("joins, sees another client, sets state and status, and leaves at once", async () => {
    const a = createPresenceClient({ host: server.host, token: await as("n-a", "Ann"), WebSocket: WS }).room("node");
    const b = createPresenceClient({ host: server.host, getToken: () => as("n-b", "Bo"), WebSocket: WS }).room("node");
    const stopA = a.subscribe(() => {});
    const stopB = b.subscribe(() => {});
    await until(a, (state) => ids(state).join() === "n-a,n-b", wait);
    expect(a.getSnapshot().status).toBe("open");
    b.setState({ mood: "busy" });
    b.setStatus("idle");
    await until(a, (state) => state.snapshot.users[1]?.state.mood === "busy", wait);
    await until(a, (state) => state.snapshot.users[1]?.status === "idle", wait);
    expect(() => b.setStatus("away" as never)).toThrow(/setStatus takes "active", "idle", "hidden" or null/);
    const left = Date.now();
    stopB();
    await until(a, (state) => ids(state).join() === "n-a", wait);
    expect(Date.now() - left).toBeLessThan(1500);
    stopA();
  });

  it("shares one socket between every subscriber of a room, and the last to go leaves", async () => {
    const socket = counting();
    const client = createPresenceClient({ host: server.host, token: await as("n-s"), WebSocket: socket.WebSocket });
    const room = client.room("shared");
    expect(client.room("shared")).toBe(room);
    const stops = [room.subscribe(() => {}), room.subscribe(() => {}), client.room("shared").subscribe(() => {})];
    await until(room, (state) => state.status === "open", wait);
    await sleep(200);
    expect(socket.urls).toHaveLength(1);
    stops[0]?.();
    stops[1]?.();
    await sleep(200);
    expect(await connections("shared")).toBe(1);
    stops[2]?.();
    const deadline = Date.now() + wait;
    while ((await connections("shared")) !== 0 && Date.now() < deadline) await sleep(100);
    expect(await connections("shared")).toBe(0);
    expect(room.getSnapshot().status).toBe("connecting");
    expect(room.socket).toBeNull();
  });

  it("gives the same frozen snapshot until something changes", async () => {
    const room = createPresenceClient({ host: server.host, token: await as("n-f"), WebSocket: WS }).room("frozen");
    const seen: RoomState[] = [];
    const stop = room.subscribe(() => seen.push(room.getSnapshot()));
    const open = await until(room, (state) => state.snapshot.users.length === 1, wait);
    expect(room.getSnapshot()).toBe(room.getSnapshot());
    expect(Object.isFrozen(open)).toBe(true);
    // every notification brought a new object: nothing is changed in place
    expect(new Set(seen).size).toBe(seen.length);
    room.setState({ typing: true });
    await until(room, (state) => state.snapshot.users[0]?.state.typing === true, wait);
    expect(room.getSnapshot()).not.toBe(open);
    expect(open.snapshot.users[0]?.state.typing).toBeUndefined();
    stop();
  });

  it("shows the server's initialSnapshot until the first sync, and the server read names who is here", async () => {
    const other = createPresenceClient({ host: server.host, token: await as("n-o", "Olive"), WebSocket: WS }).room(
      "seed",
    );
    const stopOther = other.subscribe(() => {});
    await until(other, (state) => state.status === "open", wait);
    const initialSnapshot = await getRoomSnapshot("seed", { host: server.host, secret: SECRET });
    expect(initialSnapshot.users.map((user) => user.name)).toEqual(["Olive"]);
    const room = createPresenceClient({ host: server.host, token: await as("n-i"), WebSocket: WS }).room("seed", {
      initialSnapshot,
    });
    expect(room.getSnapshot().snapshot).toBe(initialSnapshot);
    const shown: string[] = [];
    const stop = room.subscribe(() => shown.push(ids(room.getSnapshot()).join()));
    await until(room, (state) => ids(state).join() === "n-o,n-i", wait);
    // never an empty list on the way from the server's read to the live one
    expect(shown.every((list) => list.startsWith("n-o"))).toBe(true);
    stop();
    stopOther();
  });

  it("refuses bad input with clear errors", async () => {
    expect(() => createPresenceClient({} as never)).toThrow(/needs a host/);
    await expect(getRoomSnapshot("no/slash", { host: server.host, secret: SECRET })).rejects.toThrow(/not allowed/);
    await expect(getRoomSnapshot("seed", { host: server.host, secret: "wrong" })).rejects.toThrow(/HTTP 401/);
    const room = createPresenceClient({ host: server.host, WebSocket: WS }).room("bad name!");
    const stop = room.subscribe(() => {});
    expect(room.getSnapshot()).toMatchObject({ status: "closed", error: { code: "invalid_room" } });
    stop();
  });
});
