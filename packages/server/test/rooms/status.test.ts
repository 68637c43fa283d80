import { describe, expect, it } from "vitest";
import { ann, auth, bo, ROOM_KINDS, roomSuite, SHARDED_VARS } from "./workers";

// Protocol 1.2 in a real local Workers runtime: status one per person, hidden connections that
// outlive the max age, recently left. Max ages scaled down so a prune shows within seconds.
const party = roomSuite({
  HERENOW_MAX_AGE_MS: "1500",
  HERENOW_HIDDEN_MAX_AGE_MS: "6000",
  HERENOW_LEAVE_GRACE_MS: "0",
  ...SHARDED_VARS,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(ROOM_KINDS)("protocol 1.2 in %s", (_what, prefix) => {
  it("sends a status change as updated, never a leave and a join, with activeAt, and refuses an unknown one", async () => {
    const room = `${prefix}-status`;
    const watcher = await party.connect(room, { user: bo });
    const tab = await party.connect(room, { user: ann });
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const annOf = () => watcher.snapshot.users.find((user) => user.id === "u-ann");
    expect(annOf()?.status).toBe("active");
    const from = watcher.messages.length;
    const before = Date.now();
    tab.send({ type: "presence:status", status: "idle" });
    await watcher.waitFor(() => annOf()?.status === "idle", 5000, "idle");
    expect(annOf()?.activeAt).toBeGreaterThanOrEqual(before - 1000);
    tab.send({ type: "presence:status", status: "away" });
    expect((await tab.next("presence:error")).code).toBe("invalid_message");
    // a second tab of Ann's that is active makes Ann active; it is hidden: Ann stays idle
    const second = await party.connect(room, { user: ann });
    second.send({ type: "presence:status", status: "hidden" });
    await watcher.waitFor(() => annOf()?.connections === 2, 5000, "two tabs");
    await sleep(300);
    expect(annOf()?.status).toBe("idle");
    expect(watcher.joinsAndLeavesSince(from)).toEqual([]);
    tab.send({ type: "presence:leave" });
    await watcher.waitFor(() => annOf()?.status === "hidden", 5000, "hidden after the idle tab left");
  });

  it("prunes a silent visible connection after the max age, a hidden one only after the hidden max age", async () => {
    const room = `${prefix}-hidden`;
    const watcher = await party.connect(room, { user: bo });
    const hidden = await party.connect(room, { user: ann, pk: "ann-hidden" });
    const visible = await party.connect(room, { user: { id: "u-cy", name: "Cy" } });
    hidden.send({ type: "presence:status", status: "hidden" });
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.status === "hidden");
    // the watcher beats; the others are silent
    const beating = setInterval(() => watcher.send('"heartbeat"'), 500);
    try {
      await visible.waitFor(() => visible.closeEvent?.code === 4000, 10_000, "4000");
      expect(watcher.userIds()).toContain("u-ann");
      await hidden.waitFor(() => hidden.closeEvent, 15_000, "the hidden connection's prune");
      expect(hidden.closeEvent?.code).toBe(4000);
      await watcher.waitForUsers(["u-bo"]);
    } finally {
      clearInterval(beating);
    }
  }, 30_000);

  it("keeps a hidden connection that beats less often than the max age", async () => {
    const room = `${prefix}-throttled`;
    const watcher = await party.connect(room, { user: bo });
    const hidden = await party.connect(room, { user: ann });
    hidden.send({ type: "presence:status", status: "hidden" });
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.status === "hidden");
    const from = watcher.messages.length;
    // throttled timers: a beat every 4 s against a max age of 1.5 s (and a hidden max age of 6 s)
    const beats = [
      setInterval(() => hidden.send('"heartbeat"'), 4000),
      setInterval(() => watcher.send('"heartbeat"'), 500),
    ];
    try {
      await sleep(13_000);
      expect(hidden.closeEvent).toBeNull();
      expect(watcher.joinsAndLeavesSince(from)).toEqual([]);
      expect(watcher.userIds().sort()).toEqual(["u-ann", "u-bo"]);
    } finally {
      for (const beat of beats) clearInterval(beat);
    }
  }, 30_000);

  it("remembers who left: leftAt on the diff, recent in a newcomer's sync and in the HTTP API, gone when they return", async () => {
    const room = `${prefix}-recent`;
    const watcher = await party.connect(room, { user: bo });
    const tab = await party.connect(room, { user: ann });
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const before = Date.now();
    tab.send({ type: "presence:leave" });
    const diff = await watcher.waitFor(() =>
      watcher.messages.find((m) => m.type === "presence:diff" && m.left.includes("u-ann")),
    );
    expect(diff.leftAt).toBeGreaterThanOrEqual(before - 1000);
    expect(watcher.snapshot.recent).toEqual([{ id: "u-ann", name: "Ann", info: {}, leftAt: diff.leftAt }]);
    const newcomer = await party.connect(room, { user: { id: "u-di", name: "Di" } });
    const sync = await newcomer.next("presence:sync", 0);
    expect(sync.recent).toEqual([{ id: "u-ann", name: "Ann", info: {}, leftAt: diff.leftAt }]);
    const response = await fetch(party.server.httpUrl(room), { headers: auth });
    const body = (await response.json()) as { recent: unknown[]; users: { id: string; status: string }[] };
    expect(body.recent).toEqual([{ id: "u-ann", name: "Ann", info: {}, leftAt: diff.leftAt }]);
    expect(body.users.map((user) => user.status)).toEqual(["active", "active"]);
    await party.connect(room, { user: ann });
    await watcher.waitFor(() => watcher.snapshot.recent.length === 0, 5000, "Ann back");
    await newcomer.waitFor(() => newcomer.snapshot.recent.length === 0, 5000, "Ann back for the newcomer");
  });
});
