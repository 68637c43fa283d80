import { describe, expect, it } from "vitest";
import { roomSuite } from "./workers";

const party = roomSuite({ HERENOW_LEAVE_GRACE_MS: "800", HERENOW_MAX_AGE_MS: "60000" });
const connect = (room: string, user?: { id: string; name: string }, pk?: string) =>
  party.connect(room, { user, pk, synced: false });

const ann = { id: "u-ann", name: "Ann" };
const bo = { id: "u-bo", name: "Bo" };

describe("presence:sync", () => {
  it("arrives first with self, users and the anonymous count", async () => {
    const a = await connect("sync-1", ann, "c-ann");
    const sync = await a.next("presence:sync", 0);
    const syncAt = a.messages.findIndex((m) => m.type === "presence:sync");
    const firstDiffAt = a.messages.findIndex((m) => m.type === "presence:diff");
    expect(firstDiffAt === -1 || firstDiffAt > syncAt).toBe(true);
    expect(sync).toMatchObject({
      room: "sync-1",
      self: { connectionId: "c-ann", user: { id: "u-ann", name: "Ann", info: {} } },
      users: [{ id: "u-ann", name: "Ann", info: {}, connections: 1, state: {} }],
      anonymous: 0,
    });
    expect(typeof sync.seq).toBe("number");
    expect(Math.abs(sync.users[0].since - Date.now())).toBeLessThan(5000);
    const guest = await connect("sync-1");
    const guestSync = await guest.next("presence:sync", 0);
    expect(guestSync.self.user).toBeNull();
    expect(guestSync.anonymous).toBe(1);
    await a.waitFor(() => a.snapshot.anonymous === 1, 2000, "anonymous 1");
  });
});

describe("presence:diff", () => {
  it("shows two tabs of one user once with connections 2", async () => {
    const watcher = await connect("tabs", bo);
    await watcher.waitForUsers(["u-bo"]);
    const tab1 = await connect("tabs", ann);
    const tab2 = await connect("tabs", ann);
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.connections === 2);
    expect(watcher.userIds()).toEqual(["u-bo", "u-ann"]);
    await tab2.waitForUsers(["u-bo", "u-ann"]);
    tab1.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.connections === 1);
    expect(watcher.gaps).toBe(0);
  });

  it("sends a state change as updated, and numbers diffs without gaps", async () => {
    const a = await connect("state", ann);
    const b = await connect("state", bo);
    await a.waitForUsers(["u-ann", "u-bo"]);
    const from = a.messages.length;
    b.send({ type: "presence:state", state: { typing: true } });
    const diff = await a.next("presence:diff", from);
    expect(diff).toMatchObject({ joined: [], left: [], updated: [{ id: "u-bo", state: { typing: true } }] });
    expect(a.snapshot.users.find((u) => u.id === "u-bo")?.state).toEqual({ typing: true });
    for (let i = 0; i < 5; i++) b.send({ type: "presence:state", state: { n: i } });
    await a.waitFor(() => a.snapshot.users.find((u) => u.id === "u-bo")?.state.n === 4);
    const seqs = a.messages.filter((m) => m.type === "presence:diff").map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    expect(a.gaps).toBe(0);
  });

  it("shows the state most recently set by any of a user's connections", async () => {
    const watcher = await connect("newest-state", bo);
    const tab1 = await connect("newest-state", ann);
    const tab2 = await connect("newest-state", ann);
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.connections === 2);
    tab1.send({ type: "presence:state", state: { tab: 1 } });
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.state.tab === 1);
    tab2.send({ type: "presence:state", state: { tab: 2 } });
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.state.tab === 2);
    // the tab that set the newest state leaving does not bring back an older one
    tab2.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-ann")?.connections === 1);
    expect(watcher.snapshot.users.find((u) => u.id === "u-ann")?.state).toEqual({ tab: 2 });
    const late = await connect("newest-state", { id: "u-cy", name: "Cy" });
    const sync = await late.next("presence:sync", 0);
    expect(sync.users.find((u: { id: string }) => u.id === "u-ann").state).toEqual({ tab: 2 });
  });

  it("coalesces a burst of joins into few diffs", async () => {
    const watcher = await connect("burst", ann);
    await watcher.waitForUsers(["u-ann"]);
    const from = watcher.messages.length;
    const users = Array.from({ length: 30 }, (_, i) => ({ id: `u-${i}`, name: `User ${i}` }));
    await Promise.all(users.map((user) => connect("burst", user)));
    await watcher.waitFor(() => watcher.snapshot.users.length === 31, 5000, "31 users");
    const diffs = watcher.messages.slice(from).filter((m) => m.type === "presence:diff");
    expect(diffs.length).toBeLessThan(30);
  });

  it("never sends a connection a diff whose seq its sync already covers, even in a join storm", async () => {
    const watcher = await connect("no-echo", ann);
    const joiners = await Promise.all(
      Array.from({ length: 30 }, (_, i) => connect("no-echo", { id: `u-${i}`, name: `U${i}` })),
    );
    await watcher.waitFor(() => watcher.snapshot.users.length === 31, 5000, "31 users");
    for (const client of [watcher, ...joiners]) {
      const sync = client.messages.find((m) => m.type === "presence:sync");
      const diffs = client.messages.filter((m) => m.type === "presence:diff");
      // a naive client that applies every diff must not see its own arrival twice
      expect(diffs.filter((d) => d.seq <= sync.seq)).toEqual([]);
      expect(client.gaps).toBe(0);
    }
  });

  it("closes with 1000 counted as a leave: no grace", async () => {
    const watcher = await connect("close-1000", ann);
    const leaver = await connect("close-1000", bo);
    await watcher.waitForUsers(["u-ann", "u-bo"]);
    leaver.ws.close(1000);
    // the grace here is 800 ms; a leave shows at once
    await watcher.waitForUsers(["u-ann"], 400);
  });

  it("answers presence:resync with a fresh sync", async () => {
    const a = await connect("resync", ann);
    await a.next("presence:sync", 0);
    const from = a.messages.length;
    a.send({ type: "presence:resync" });
    const sync = await a.next("presence:sync", from);
    expect(sync.users.map((u: { id: string }) => u.id)).toEqual(["u-ann"]);
  });
});

describe("heartbeats", () => {
  it("answers both heartbeat forms with presence:pong", async () => {
    const a = await connect("hb", ann);
    await a.next("presence:sync", 0);
    let from = a.messages.length;
    a.send({ type: "presence:heartbeat" });
    await a.next("presence:pong", from);
    from = a.messages.length;
    a.send('"heartbeat"');
    expect(await a.next("presence:pong", from)).toEqual({ type: "presence:pong" });
  });
});

describe("leaving", () => {
  it("removes a connection that sent presence:leave at once and closes it with 1000", async () => {
    const watcher = await connect("leave", bo);
    const a = await connect("leave", ann);
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const started = Date.now();
    a.send({ type: "presence:leave" });
    expect((await a.waitForClose()).code).toBe(1000);
    await watcher.waitForUsers(["u-bo"], 2000);
    // well inside the 800 ms grace: the leave was not held back
    expect(Date.now() - started).toBeLessThan(700);
  });

  it("keeps a user through the grace on a close without leave, and drops them after it", async () => {
    const watcher = await connect("grace", bo);
    const a = await connect("grace", ann, "c-grace");
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const closedAt = Date.now();
    a.close();
    await watcher.waitForUsers(["u-bo"], 3000);
    const took = Date.now() - closedAt;
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(800 + 1000);
  });

  it("shows no leave and no join when the same connection reconnects within the grace", async () => {
    const watcher = await connect("regrace", bo);
    const a = await connect("regrace", ann, "c-re");
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const from = watcher.messages.length;
    a.terminate();
    const again = await connect("regrace", ann, "c-re");
    await again.waitForUsers(["u-bo", "u-ann"]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const diffs = watcher.messages.slice(from).filter((m) => m.type === "presence:diff");
    expect(diffs.flatMap((d) => [...d.left, ...d.joined.map((u: { id: string }) => u.id)])).toEqual([]);
    expect(watcher.userIds()).toEqual(["u-bo", "u-ann"]);
  });

  it("announces an abnormal close (TCP gone, no close frame) after the grace", async () => {
    const watcher = await connect("abnormal", bo);
    const a = await connect("abnormal", ann);
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    a.terminate();
    await watcher.waitForUsers(["u-bo"], 3000);
  });

  it("drops anonymous connections without grace", async () => {
    const watcher = await connect("anon", bo);
    const guest = await connect("anon");
    await watcher.waitFor(() => watcher.snapshot.anonymous === 1);
    const closedAt = Date.now();
    guest.close();
    await watcher.waitFor(() => watcher.snapshot.synced && watcher.snapshot.anonymous === 0);
    expect(Date.now() - closedAt).toBeLessThan(700);
  });
});
