import { expect, it } from "vitest";
import { createPresenceStore } from "../src/store";
import { at } from "./support/clock";
import { describeEachDatabase } from "./support/databases";

// Issue 29, item 3: when and where users were last seen, from the session history.

const NOW = at(100);
const ann = { id: "u1", name: "Ann" };
const bo = { id: "u2", name: "Bo" };

describeEachDatabase("store.lastSeen", (db) => {
  const store = () => createPresenceStore(db(), { now: () => NOW });

  it("gives the end of each user's latest session and its room, or here while one is open", async () => {
    const s = store();
    await s.add("lobby", "c1", ann, { at: at(1) });
    await s.remove("lobby", "c1", "left", { at: at(5) });
    await s.add("kitchen", "c2", ann, { at: at(6) });
    // a stay that began later but ended earlier (another tab, another room) does not hide the latest end
    await s.add("attic", "c3", ann, { at: at(7) });
    await s.remove("attic", "c3", "left", { at: at(8) });
    await s.remove("kitchen", "c2", "closed", { at: at(9) });
    await s.add("lobby", "c4", bo, { at: at(1) });
    await s.remove("lobby", "c4", "left", { at: at(2) });
    await s.add("lobby", "c5", bo, { at: at(10) });
    await s.add("lobby", "c6", null, { at: at(11) });

    const seen = await s.lastSeen(["u1", "u2", "nobody", "u1"]);
    expect(Object.fromEntries(seen)).toEqual({
      u1: { at: at(9), room: "kitchen", here: false },
      u2: { at: NOW, room: "lobby", here: true },
    });
    expect(await s.lastSeen([])).toEqual(new Map());
  });

  it("takes at most 1,000 distinct ids of 1 to 128 characters", async () => {
    const s = store();
    const many = Array.from({ length: 1000 }, (_, i) => `u${i}`);
    expect((await s.lastSeen([...many, "u1"])).size).toBe(0);
    await expect(s.lastSeen([...many, "u-one-too-many"])).rejects.toThrow(/at most 1000 user ids/);
    await expect(s.lastSeen([""])).rejects.toThrow(/1 to 128 characters/);
  });
});
