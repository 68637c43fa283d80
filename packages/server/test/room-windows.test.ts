// RoomWindows against an in-memory room: which sockets hear of which change, without a runtime.
import type { UserIdentity } from "@herenow/core";
import { ManualClock, RoomPresence } from "@herenow/core/engine";
import { describe, expect, it } from "vitest";
import type { ConnectionData } from "../src/connection-data";
import { RoomWindows } from "../src/room-windows";

const person = (n: number): UserIdentity => ({ id: `u${n}`, name: `User ${n}`, info: {} });

/** A stand-in for a socket: what it was sent, parsed. */
interface FakeSocket {
  name: string;
  sent: { type: string; [key: string]: unknown }[];
}

function room(threshold: number) {
  const clock = new ManualClock(1_000);
  const presence = new RoomPresence({ clock, leaveGraceMs: 0 });
  const data = new Map<FakeSocket, ConnectionData>();
  const follows = new Map<string, string[]>();
  const timers: (() => void)[] = [];
  const windows = new RoomWindows({
    presence,
    threshold,
    sockets: () => [...data.keys()] as unknown as WebSocket[],
    dataOf: (socket) => data.get(socket as unknown as FakeSocket) ?? null,
    followsOf: (id) => follows.get(id) ?? [],
    send: (socket, text) => (socket as unknown as FakeSocket).sent.push(JSON.parse(text)),
    saveMode: () => undefined,
    clock,
    setTimer: (run) => timers.push(run),
  });
  const join = (n: number, window?: number, followed?: string[]): FakeSocket => {
    const socket: FakeSocket = { name: `c${n}`, sent: [] };
    const connection: ConnectionData = {
      herenow: 1,
      id: `c${n}`,
      user: person(n),
      joinedAt: 0,
      lastSeen: 0,
      since: 0,
      ...(window === undefined ? {} : { window }),
    };
    if (followed) follows.set(`c${n}`, followed);
    data.set(socket, connection);
    presence.connect(`c${n}`, person(n));
    windows.remember(socket as unknown as WebSocket, connection);
    return socket;
  };
  /** What a flush does: the diff, the mode, and the diff sent. */
  const flush = () => {
    const diff = presence.takeDiff();
    const switched = windows.updateMode();
    if (diff) windows.send(diff, null);
    return switched;
  };
  return { presence, windows, join, flush, timers, clock };
}

describe("RoomWindows", () => {
  it("sends a join at the end of a crowd to its followers and protocol 1 sockets only, counts later", () => {
    const r = room(3);
    const classic = r.join(0);
    const head = r.join(1, 2);
    const fan = r.join(2, 2, ["u9"]);
    for (let n = 3; n <= 8; n++) r.join(n, 2);
    expect(r.flush()).toBe(true);
    for (const socket of [classic, head, fan]) socket.sent.length = 0;

    r.join(9);
    r.flush();
    expect(classic.sent).toEqual([
      expect.objectContaining({ type: "presence:diff", joined: [expect.objectContaining({ id: "u9" })] }),
    ]);
    expect(fan.sent).toEqual([
      expect.objectContaining({ type: "presence:diff", joined: [expect.objectContaining({ id: "u9" })], count: 10 }),
    ]);
    expect(head.sent).toEqual([]);
    // the rest hear the new count from the coalesced count message
    expect(r.timers).toHaveLength(1);
    r.timers.shift()?.();
    expect(head.sent).toEqual([{ type: "presence:count", seq: r.presence.seq, count: 10, anonymous: 0 }]);
    expect(fan.sent).toHaveLength(1); // its diff already carried the count
  });

  it("reaches every window of a size when its head moves, and forgets closed sockets", () => {
    const r = room(3);
    const sockets = [1, 2, 3, 4, 5].map((n) => r.join(n, 2));
    r.flush();
    for (const socket of sockets) socket.sent.length = 0;
    r.presence.leave("c1");
    r.windows.forget(sockets[0] as unknown as WebSocket);
    r.flush();
    expect(sockets[0]?.sent).toEqual([]);
    // u3 moves into the first two: news to every window but u3's own, which always showed u3
    for (const socket of [sockets[1], sockets[3], sockets[4]]) {
      expect(socket?.sent).toEqual([
        expect.objectContaining({
          type: "presence:diff",
          left: ["u1"],
          joined: [expect.objectContaining({ id: "u3" })],
        }),
      ]);
    }
    expect(sockets[2]?.sent).toEqual([expect.objectContaining({ left: ["u1"], joined: [] })]);
  });

  it("sends counts less often as the windowed crowd grows, at most a second apart", () => {
    const r = room(3);
    for (let n = 1; n <= 10; n++) r.join(n, 5);
    r.flush();
    expect(r.windows.countInterval()).toBe(250);
    for (let n = 11; n <= 5000; n++) r.join(n, 5);
    expect(r.windows.countInterval()).toBe(500);
    for (let n = 5001; n <= 20_000; n++) r.join(n, 5);
    expect(r.windows.countInterval()).toBe(1000);
  });

  it("counts at the pace of the whole room on a shard that holds only some of its sockets", () => {
    const r = room(3);
    for (let n = 1; n <= 10; n++) r.join(n, 5);
    // the rest of a room of 10,000 is on other shards: users here, sockets elsewhere
    for (let n = 11; n <= 10_000; n++) r.presence.connect(`elsewhere-${n}`, person(n));
    expect(r.windows.countInterval()).toBe(1000);
  });

  it("rebuilds its index from the sockets after a wake", () => {
    const r = room(3);
    const sockets = [1, 2, 3, 4].map((n) => r.join(n, 1, n === 4 ? ["u5"] : undefined));
    r.flush();
    // a new process: a fresh RoomWindows over the same room, nothing remembered
    const woken = new RoomWindows({
      presence: r.presence,
      threshold: 3,
      sockets: () => sockets as unknown as WebSocket[],
      dataOf: (socket) => ({
        herenow: 1,
        id: (socket as unknown as FakeSocket).name,
        user: person(Number((socket as unknown as FakeSocket).name.slice(1))),
        joinedAt: 0,
        lastSeen: 0,
        since: 0,
        window: 1,
      }),
      followsOf: (id) => (id === "c4" ? ["u5"] : []),
      send: (socket, text) => (socket as unknown as FakeSocket).sent.push(JSON.parse(text)),
      saveMode: () => undefined,
      clock: r.clock,
      setTimer: () => undefined,
    });
    woken.restore(true);
    for (const socket of sockets) socket.sent.length = 0;
    r.presence.connect("c5", person(5));
    const diff = r.presence.takeDiff();
    if (diff) woken.send(diff, null);
    expect(sockets[3]?.sent).toEqual([expect.objectContaining({ joined: [expect.objectContaining({ id: "u5" })] })]);
    expect(sockets[0]?.sent).toEqual([]);
  });
});
