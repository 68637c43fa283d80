import { describe, expect, it, vi } from "vitest";
import type { PresenceChangedEvent } from "../src/presence-types";
import { createPresenceStore } from "../src/store";
import { at, T0 } from "./support/clock";
import { describeEachDatabase } from "./support/databases";

const ann = { id: "u1", name: "Ann" };
const bo = { id: "u2", name: "Bo" };
/** What a user with an active connection reads as, on the store's clock. */
const ACTIVE = { status: "active", activeAt: T0 } as const;

describeEachDatabase("presence store", (db) => {
  const store = (options = {}) => createPresenceStore(db(), { now: () => T0, ...options });

  describe("add", () => {
    it("creates the room and the presence, and emits the addition", async () => {
      const s = store();
      const changes: PresenceChangedEvent[] = [];
      s.onPresenceChanged((c) => void changes.push(c));

      const result = await s.add("lobby", "c-1", { ...ann, info: { colour: "teal", tags: ["a", 1] } }, { at: at(1) });

      expect(result.added).toBe(true);
      expect(result.replaced).toBeNull();
      const presences = await s.getPresences("lobby");
      expect(presences).toEqual([
        {
          room: "lobby",
          connectionId: "c-1",
          user: { id: "u1", name: "Ann", info: { colour: "teal", tags: ["a", 1] } },
          joinedAt: at(1),
          lastSeenAt: at(1),
          generation: null,
          status: "active",
          // active, so active until the read: the store's clock
          activeAt: T0,
        },
      ]);
      // the signal's copy was read at the add's own time
      const added = { ...presences[0], activeAt: at(1) };
      expect(changes).toEqual([
        { room: "lobby", added, removed: null, bulkChange: false, addedAll: [added], removedAll: [], occupancy: [] },
      ]);
      expect((await s.listRooms()).map((r) => r.name)).toEqual(["lobby"]);
    });

    it("is a no-op for a connection already there as the same user: no second row, session or emit", async () => {
      const s = store();
      const listener = vi.fn();
      s.onPresenceChanged(listener);
      await s.add("lobby", "c-1", ann, { at: at(1) });
      const again = await s.add("lobby", "c-1", { ...ann, name: "Ann B." }, { at: at(5) });

      expect(again.added).toBe(false);
      expect(listener).toHaveBeenCalledTimes(1);
      const [row] = await s.getPresences("lobby");
      expect(row).toMatchObject({ joinedAt: at(1), lastSeenAt: at(5), user: { id: "u1", name: "Ann B." } });
      expect(await s.sessions()).toHaveLength(1);
      // A late duplicate (a retried event, say) never moves last-seen back.
      await s.add("lobby", "c-1", ann, { at: at(3) });
      expect((await s.getPresences("lobby"))[0]?.lastSeenAt).toEqual(at(5));
    });

    it("updates a connection that comes back with a different user instead of failing", async () => {
      const s = store();
      const changes: PresenceChangedEvent[] = [];
      await s.add("lobby", "c-1", ann, { at: at(1) });
      s.onPresenceChanged((c) => void changes.push(c));

      const result = await s.add("lobby", "c-1", bo, { at: at(10) });

      expect(result.added).toBe(true);
      expect(result.replaced?.user?.id).toBe("u1");
      expect(await s.getUsers("lobby")).toEqual([{ id: "u2", name: "Bo", info: null, ...ACTIVE }]);
      expect((await s.getPresences("lobby"))[0]?.joinedAt).toEqual(at(10));
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        room: "lobby",
        added: { user: { id: "u2" } },
        removed: { user: { id: "u1" } },
        bulkChange: false,
      });
      const sessions = await s.sessions();
      expect(sessions.map((x) => [x.userId, x.leftAt, x.endReason])).toEqual([
        ["u2", null, null],
        ["u1", at(10), "left"],
      ]);
    });

    it("turns an anonymous connection into a signed-in one", async () => {
      const s = store();
      await s.add("lobby", "c-1", null, { at: at(1) });
      expect(await s.getAnonymousCount("lobby")).toBe(1);
      const result = await s.add("lobby", "c-1", ann, { at: at(2) });
      expect(result.added).toBe(true);
      expect(await s.getAnonymousCount("lobby")).toBe(0);
      expect(await s.getUsers("lobby")).toEqual([{ id: "u1", name: "Ann", info: null, ...ACTIVE }]);
    });

    it("records the generation on the presence and the room", async () => {
      const s = store();
      await s.add("lobby", "c-1", ann, { generation: "g1" });
      await s.add("lobby", "c-2", null);
      expect((await s.getPresences("lobby")).map((p) => p.generation)).toEqual(["g1", null]);
      expect((await s.listRooms())[0]?.generation).toBe("g1");
    });

    it("refuses an empty room or connection id", async () => {
      await expect(store().add("", "c-1")).rejects.toThrow(TypeError);
      await expect(store().add("lobby", "")).rejects.toThrow(/connectionId/);
    });
  });

  describe("users and counts", () => {
    it("lists each signed-in user once, by first join, and counts anonymous connections apart", async () => {
      const s = store();
      await s.add("lobby", "c-1", bo, { at: at(1) });
      await s.add("lobby", "c-2", { ...ann, info: { v: 1 } }, { at: at(2) });
      await s.add("lobby", "c-3", { ...ann, info: { v: 2 } }, { at: at(3) });
      await s.add("lobby", "c-4", null, { at: at(4) });
      await s.add("lobby", "c-5", null, { at: at(5) });
      await s.add("other", "c-6", { id: "u3", name: "Cy" }, { at: at(6) });

      expect(await s.getUsers("lobby")).toEqual([
        { id: "u2", name: "Bo", info: null, ...ACTIVE },
        // Ann's profile comes from her latest connection.
        { id: "u1", name: "Ann", info: { v: 2 }, ...ACTIVE },
      ]);
      expect(await s.getAnonymousCount("lobby")).toBe(2);
      expect(await s.getAnonymousCount("nowhere")).toBe(0);
      expect(await s.getPresences("lobby")).toHaveLength(5);
      expect(await s.listRooms()).toEqual([
        {
          name: "lobby",
          users: 2,
          anonymous: 2,
          connections: 5,
          lastActivityAt: at(5),
          occupiedSince: null,
          generation: null,
          seq: 0,
        },
        {
          name: "other",
          users: 1,
          anonymous: 0,
          connections: 1,
          lastActivityAt: at(6),
          occupiedSince: null,
          generation: null,
          seq: 0,
        },
      ]);
    });

    it("reads one room with only its own counts, and null for a room it does not know", async () => {
      const s = store();
      await s.add("lobby", "c-1", ann, { at: at(1) });
      await s.add("lobby", "c-2", ann, { at: at(2) });
      await s.add("lobby", "c-3", null, { at: at(3) });
      await s.add("lobby-2", "c-4", bo, { at: at(4) });

      const lobby = await s.getRoom("lobby");
      expect(lobby).toMatchObject({ name: "lobby", users: 1, anonymous: 1, connections: 3, lastActivityAt: at(3) });
      // the same summary as the room's entry in listRooms
      expect(lobby).toEqual((await s.listRooms()).find((room) => room.name === "lobby"));
      expect(await s.getRoom("lobby-2")).toMatchObject({ users: 1, anonymous: 0, connections: 1 });
      expect(await s.getRoom("nowhere")).toBeNull();
      // the name is matched exactly, not as a pattern
      expect(await s.getRoom("lobb%")).toBeNull();
      // a room everyone left is still a room, with zero counts, until it is pruned
      await s.remove("lobby-2", "c-4", "left", { at: at(5) });
      expect(await s.getRoom("lobby-2")).toMatchObject({
        users: 0,
        anonymous: 0,
        connections: 0,
        lastActivityAt: at(5),
      });
    });
  });

  describe("remove", () => {
    it("deletes the presence, closes its session and emits the removal", async () => {
      const s = store();
      await s.add("lobby", "c-1", ann, { at: at(1) });
      await s.add("lobby", "c-2", bo, { at: at(2) });
      const changes: PresenceChangedEvent[] = [];
      s.onPresenceChanged((c) => void changes.push(c));

      const removed = await s.remove("lobby", "c-1", "kicked", { at: at(30) });

      expect(removed?.user?.id).toBe("u1");
      expect(await s.getUsers("lobby")).toEqual([{ id: "u2", name: "Bo", info: null, ...ACTIVE }]);
      expect(changes).toEqual([
        { room: "lobby", added: null, removed, bulkChange: false, addedAll: [], removedAll: [removed], occupancy: [] },
      ]);
      const [session] = await s.sessions({ userId: "u1" });
      expect(session).toMatchObject({ leftAt: at(30), endReason: "kicked" });
      expect((await s.listRooms())[0]?.lastActivityAt).toEqual(at(30));
    });

    it("defaults the reason to closed, and ignores a connection that is not there", async () => {
      const s = store();
      await s.add("lobby", "c-1", ann);
      const listener = vi.fn();
      s.onPresenceChanged(listener);
      expect(await s.remove("lobby", "nope")).toBeNull();
      expect(listener).not.toHaveBeenCalled();
      await s.remove("lobby", "c-1");
      expect((await s.sessions())[0]?.endReason).toBe("closed");
      expect(listener).toHaveBeenCalledTimes(1);
    });
  });

  describe("touch", () => {
    it("refreshes one connection's last-seen time in every room, never moving it back", async () => {
      const s = store();
      await s.add("a", "c-1", ann, { at: at(1) });
      await s.add("b", "c-1", ann, { at: at(1) });
      await s.add("b", "c-2", bo, { at: at(1) });

      expect(await s.touch("c-1", at(40))).toEqual(["a", "b"]);
      await s.touch("c-1", at(20));

      const seen = [...(await s.getPresences("a")), ...(await s.getPresences("b"))].map((p) => [
        p.room,
        p.connectionId,
        p.lastSeenAt,
      ]);
      expect(seen).toEqual([
        ["a", "c-1", at(40)],
        ["b", "c-1", at(40)],
        ["b", "c-2", at(1)],
      ]);
      expect((await s.listRooms()).map((r) => r.lastActivityAt)).toEqual([at(40), at(40)]);
      expect(await s.touch("unknown")).toEqual([]);
    });
  });

  describe("leaveAll", () => {
    it("removes a connection from every room with one emit per room", async () => {
      const s = store();
      await s.add("a", "c-1", ann);
      await s.add("b", "c-1", ann);
      await s.add("b", "c-2", bo);
      const changes: PresenceChangedEvent[] = [];
      s.onPresenceChanged((c) => void changes.push(c));

      const removed = await s.leaveAll("c-1");

      expect(removed.map((p) => p.room).sort()).toEqual(["a", "b"]);
      expect(changes.map((c) => [c.room, c.removed?.connectionId, c.bulkChange]).sort()).toEqual([
        ["a", "c-1", false],
        ["b", "c-1", false],
      ]);
      expect(await s.getPresences("a")).toEqual([]);
      expect((await s.getPresences("b")).map((p) => p.connectionId)).toEqual(["c-2"]);
      expect((await s.sessions({ userId: "u1" })).map((x) => x.endReason)).toEqual(["closed", "closed"]);
    });
  });

  describe("prunePresences", () => {
    it("removes presences not seen within the max age and says who in one bulk change per room", async () => {
      const s = store();
      await s.add("a", "c-old", ann, { at: at(0) });
      await s.add("a", "c-edge", null, { at: at(40) });
      await s.add("a", "c-new", bo, { at: at(90) });
      await s.add("b", "c-old2", null, { at: at(10) });
      const changes: PresenceChangedEvent[] = [];
      s.onPresenceChanged((c) => void changes.push(c));

      // now = 100 s, max age 60 s: last seen before 40 s is stale; exactly 40 s is not.
      const removed = await s.prunePresences({ maxAgeMs: 60_000, now: at(100) });

      removed.sort((x, y) => x.room.localeCompare(y.room));
      expect(removed.map((p) => p.connectionId)).toEqual(["c-old", "c-old2"]);
      expect(changes.sort((x, y) => x.room.localeCompare(y.room))).toEqual([
        {
          room: "a",
          added: null,
          removed: null,
          bulkChange: true,
          addedAll: [],
          removedAll: [removed[0]],
          occupancy: [],
        },
        {
          room: "b",
          added: null,
          removed: null,
          bulkChange: true,
          addedAll: [],
          removedAll: [removed[1]],
          occupancy: [],
        },
      ]);
      expect((await s.getPresences("a")).map((p) => p.connectionId)).toEqual(["c-edge", "c-new"]);
      const stale = (await s.sessions()).filter((x) => x.endReason === "stale");
      // Closed at their last-seen time: that is when they were last known to be there.
      expect(stale.map((x) => [x.connectionId, x.leftAt]).sort()).toEqual([
        ["c-old", at(0)],
        ["c-old2", at(10)],
      ]);
    });

    it("defaults to 60 s and emits nothing when nothing is stale", async () => {
      const s = store({ now: () => at(61) });
      await s.add("a", "c-1", ann, { at: at(0) });
      await s.add("a", "c-2", bo, { at: at(2) });
      const listener = vi.fn();
      s.onPresenceChanged(listener);
      expect((await s.prunePresences()).map((p) => p.connectionId)).toEqual(["c-1"]);
      expect(await s.prunePresences()).toEqual([]);
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it("rejects a negative or non-numeric max age", async () => {
      await expect(store().prunePresences({ maxAgeMs: -1 })).rejects.toThrow(RangeError);
      await expect(store().prunePresences({ maxAgeMs: Number.NaN })).rejects.toThrow(/maxAgeMs/);
    });
  });

  describe("pruneRooms", () => {
    it("deletes only rooms nobody is in", async () => {
      const s = store();
      await s.add("empty-1", "c-1", ann);
      await s.add("empty-2", "c-2", null);
      await s.add("busy", "c-3", bo);
      await s.remove("empty-1", "c-1");
      await s.remove("empty-2", "c-2");

      expect(await s.pruneRooms()).toEqual(["empty-1", "empty-2"]);
      expect((await s.listRooms()).map((r) => r.name)).toEqual(["busy"]);
      expect(await s.pruneRooms()).toEqual([]);
      // History outlives the room.
      expect(await s.sessions({ room: "empty-1" })).toHaveLength(1);
    });
  });

  describe("listeners", () => {
    it("keep the store working when one throws or rejects, reporting to onError", async () => {
      const onError = vi.fn();
      const s = store({ onError });
      const after = vi.fn();
      s.onPresenceChanged(() => {
        throw new Error("sync boom");
      });
      s.onPresenceChanged(async () => {
        throw new Error("async boom");
      });
      s.onPresenceChanged(after);

      await expect(s.add("lobby", "c-1", ann)).resolves.toMatchObject({ added: true });
      await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(2));
      expect(onError.mock.calls.map(([e]) => (e as Error).message).sort()).toEqual(["async boom", "sync boom"]);
      expect(after).toHaveBeenCalledTimes(1);
      expect(await s.getPresences("lobby")).toHaveLength(1);
    });

    it("stop hearing changes once unsubscribed", async () => {
      const s = store();
      const listener = vi.fn();
      const off = s.onPresenceChanged(listener);
      await s.add("lobby", "c-1", ann);
      off();
      await s.remove("lobby", "c-1");
      expect(listener).toHaveBeenCalledTimes(1);
    });
  });
});
