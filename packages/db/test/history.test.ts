import { describe, expect, it } from "vitest";
import { createPresenceStore } from "../src/store";
import { at, T0 } from "./support/clock";
import { describeEachDatabase } from "./support/databases";
import { statementCounter } from "./support/statements";

const ann = { id: "u1", name: "Ann" };
const bo = { id: "u2", name: "Bo" };

describeEachDatabase("presence history", (db) => {
  const store = () => createPresenceStore(db(), { now: () => T0 });

  describe("sessions", () => {
    it("lists stays newest first, open ones with leftAt null, filtered by room, user and start", async () => {
      const s = store();
      await s.add("a", "c-1", ann, { at: at(1) });
      await s.add("a", "c-2", null, { at: at(2) });
      await s.add("b", "c-3", bo, { at: at(3) });
      await s.add("b", "c-4", ann, { at: at(4) });
      await s.remove("a", "c-1", "left", { at: at(9) });

      const all = await s.sessions();
      expect(all.map((x) => x.connectionId)).toEqual(["c-4", "c-3", "c-2", "c-1"]);
      expect(all[3]).toEqual({
        id: expect.any(Number),
        room: "a",
        connectionId: "c-1",
        userId: "u1",
        userName: "Ann",
        joinedAt: at(1),
        leftAt: at(9),
        endReason: "left",
      });
      expect(all[0]).toMatchObject({ leftAt: null, endReason: null });
      expect((await s.sessions({ room: "b" })).map((x) => x.connectionId)).toEqual(["c-4", "c-3"]);
      expect((await s.sessions({ userId: "u1" })).map((x) => x.connectionId)).toEqual(["c-4", "c-1"]);
      expect((await s.sessions({ since: at(2) })).map((x) => x.connectionId)).toEqual(["c-4", "c-3", "c-2"]);
      expect((await s.sessions({ limit: 1 })).map((x) => x.connectionId)).toEqual(["c-4"]);
      await expect(s.sessions({ limit: 0 })).rejects.toThrow(RangeError);
    });

    it("keeps a new session for every return of a connection", async () => {
      const s = store();
      await s.add("a", "c-1", ann, { at: at(1) });
      await s.remove("a", "c-1", "closed", { at: at(2) });
      await s.add("a", "c-1", ann, { at: at(3) });
      const sessions = await s.sessions();
      expect(sessions.map((x) => [x.joinedAt, x.leftAt])).toEqual([
        [at(3), null],
        [at(1), at(2)],
      ]);
    });
  });

  describe("whoWasHere", () => {
    it("answers from history which users and how many anonymous connections were in at an instant", async () => {
      const s = store();
      await s.add("a", "c-1", ann, { at: at(10) });
      await s.add("a", "c-2", ann, { at: at(15) });
      await s.add("a", "c-3", null, { at: at(20) });
      await s.add("a", "c-4", bo, { at: at(25) });
      await s.add("b", "c-5", { id: "u3", name: "Cy" }, { at: at(10) });
      await s.remove("a", "c-1", "left", { at: at(30) });
      await s.remove("a", "c-2", "left", { at: at(40) });
      await s.remove("a", "c-3", "closed", { at: at(35) });

      expect(await s.whoWasHere("a", at(5))).toEqual({ users: [], anonymous: 0 });
      expect(await s.whoWasHere("a", at(10))).toEqual({ users: [{ id: "u1", name: "Ann" }], anonymous: 0 });
      expect(await s.whoWasHere("a", at(27))).toEqual({
        users: [
          { id: "u1", name: "Ann" },
          { id: "u2", name: "Bo" },
        ],
        anonymous: 1,
      });
      // Ann's second connection keeps her in until 40 s; a session ending at the instant no longer counts.
      expect(await s.whoWasHere("a", at(35))).toEqual({
        users: [
          { id: "u1", name: "Ann" },
          { id: "u2", name: "Bo" },
        ],
        anonymous: 0,
      });
      expect(await s.whoWasHere("a", at(41))).toEqual({ users: [{ id: "u2", name: "Bo" }], anonymous: 0 });
    });

    it("ends a pruned ghost's stay at its last-seen time", async () => {
      const s = store();
      await s.add("a", "c-1", ann, { at: at(0) });
      await s.touch("c-1", at(30));
      await s.prunePresences({ maxAgeMs: 60_000, now: at(200) });
      expect((await s.whoWasHere("a", at(29))).users).toHaveLength(1);
      expect((await s.whoWasHere("a", at(100))).users).toHaveLength(0);
    });
  });

  describe("the store's writes", () => {
    it("cost what a webhook batch costs whatever the room holds: the lock, the read of the named rows, one write", async () => {
      const statements = statementCounter();
      const s = createPresenceStore(db().withPlugin(statements.plugin));
      for (let i = 0; i < 50; i += 1) await s.add("a", `c-${i}`, { id: `u-${i}`, name: `User ${i}` }, { at: at(i) });

      statements.reset();
      await s.add("a", "c-new", ann, { at: at(60) });
      expect(statements.count).toBe(3);
      statements.reset();
      // another user on the same connection: the old stay ends and a new one begins, in the same three
      await s.add("a", "c-new", bo, { at: at(61) });
      expect(statements.count).toBe(3);
      statements.reset();
      await s.remove("a", "c-new", "left", { at: at(62) });
      expect(statements.count).toBe(3);
      const stays = await store().sessions({ room: "a", userId: "u2" });
      expect(stays.map((x) => [x.joinedAt.getTime(), x.leftAt?.getTime(), x.endReason])).toEqual([
        [at(61).getTime(), at(62).getTime(), "left"],
      ]);
      const [annStay] = await store().sessions({ room: "a", userId: ann.id });
      expect(annStay).toMatchObject({ leftAt: at(61), endReason: "left" });
    });
  });
});
