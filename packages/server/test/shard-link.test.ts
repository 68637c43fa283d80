// The shard half of a sharded room, without a runtime: a real RoomPresence for the shard's own
// people, core's real RoomHead as the coordinator (its answers and pushes released by hand), and a
// host that records what would go to the sockets.
import {
  type HeadPush,
  type HeadReport,
  ManualClock,
  RoomHead,
  RoomPresence,
  SHOWS_EVERYONE,
  type ViewChanges,
} from "@herenow/core/engine";
import { describe, expect, it } from "vitest";
import { type ReportReply, ShardLink } from "../src/shard-link";
import { headReport, reportedUser } from "./head-reports";

const SHARD = 2;
const ann = { id: "u-ann", name: "Ann", info: {} };
const bo = { id: "u-bo", name: "Bo", info: {} };

function setup(shown: { now: number } = { now: 0 }) {
  const clock = new ManualClock(1_000_000);
  const presence = new RoomPresence({ clock, recordEvents: true });
  let head = new RoomHead({ headSize: 10, shards: 4, clock });
  /** Each report as the coordinator took it (at once), and the release of its answer (later). */
  const reports: { report: HeadReport; answer: () => void }[] = [];
  const published: { changes: ViewChanges | null; syncs: string[]; held: string[] }[] = [];
  const resynced: string[][] = [];
  /** When the link asked to report again (ms from now). */
  const later: number[] = [];
  const asked: number[] = [];
  const link = new ShardLink({
    shard: SHARD,
    presence,
    coordinator: () => ({
      herenowReport: (shard: number, report: HeadReport) => {
        const reply: ReportReply = head.apply(shard, report) === "needs-full" ? { need: "full" } : { ok: true };
        return new Promise<ReportReply>((resolve) => reports.push({ report, answer: () => resolve(reply) }));
      },
      herenowPublished: async (shard: number) => {
        asked.push(shard);
        return head.snapshotFor(shard);
      },
    }),
    shows: () => shown.now,
    needsEveryDiff: () => shown.now === SHOWS_EVERYONE,
    publish: (changes, syncs, held) => published.push({ changes, syncs, held: [...held] }),
    resyncAll: (held) => resynced.push([...held]),
    flushLater: (ms) => later.push(ms),
    log: () => {},
  });
  /** The coordinator's pushes of this interval, this shard's one. */
  const push = (): HeadPush | undefined => head.takePushes().get(SHARD);
  /** The coordinator restarts with nothing. */
  const restart = () => {
    head = new RoomHead({ headSize: 10, shards: 4, clock });
  };
  return { clock, presence, head: () => head, link, reports, published, resynced, asked, push, restart, later };
}

/** A report of shard 1 that says nothing new. */
const emptyReport = () => headReport({ connections: 1, at: 1_000_000 });

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("ShardLink", () => {
  it("sends a newcomer its sync once a push includes its report, even when the push overtakes the answer", async () => {
    const { presence, link, reports, published, push } = setup();
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    expect(reports[0]?.report).toMatchObject({ full: true, no: 1, count: 1 }); // the first report says everything
    expect(link.held()).toEqual(new Set(["c-ann"]));
    // the coordinator took it and pushed before its answer reached the shard
    const first = push() as HeadPush;
    expect(first.reportNo).toBe(1);
    await link.receive(first);
    expect(published.some((p) => p.syncs.includes("c-ann"))).toBe(false);
    expect(link.held()).toEqual(new Set(["c-ann"]));
    reports[0]?.answer();
    await settle();
    // the answer says the report was taken, and a push with its number is in: the sync goes now
    expect(published.at(-1)?.syncs).toEqual(["c-ann"]);
    expect(link.held()).toEqual(new Set());
    expect(push()).toBeUndefined();
  });

  it("shows the shard's own people only in the push that includes their report, under the push's number", async () => {
    const { presence, link, reports, published, push } = setup();
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    reports[0]?.answer();
    await settle();
    await link.receive(push() as HeadPush);
    const seqBefore = link.view.seq;
    presence.connect("c-bo", bo);
    link.flush([], 1_000_050);
    expect(reports[1]?.report).toMatchObject({ full: false, no: 2, ownChanged: true });
    const before = published.length;
    reports[1]?.answer();
    await settle();
    expect(published.length).toBe(before); // nothing for the sockets until the push
    const next = push() as HeadPush;
    expect(next.reportNo).toBe(2);
    await link.receive(next);
    const changes = published.at(-1)?.changes as ViewChanges;
    expect(changes.seq).toBe(seqBefore + 1);
    expect(changes.joined.map((user) => user.id)).toEqual(["u-bo"]);
    expect(changes.joined.filter((user) => user.id === "u-bo")).toHaveLength(1);
  });

  it("reports everything again after a refused report, and the newcomer waits for that one", async () => {
    const { presence, link, reports, published, push, restart } = setup();
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    reports[0]?.answer();
    await settle();
    await link.receive(push() as HeadPush);
    // the coordinator restarted and lost this shard: a partial report is refused
    restart();
    presence.connect("c-bo", bo);
    link.flush(["c-bo"], 1_000_050);
    expect(reports[1]?.report.full).toBe(false);
    reports[1]?.answer();
    await settle();
    expect(link.held()).toContain("c-bo");
    expect(published.some((p) => p.syncs.includes("c-bo"))).toBe(false);
    // the next report says everything, and the newcomer's sync waits for the push that includes it
    link.flush([], 1_001_050);
    expect(reports[2]?.report).toMatchObject({ full: true, no: 3, count: 2 });
    reports[2]?.answer();
    await settle();
    await link.receive(push() as HeadPush);
    expect(published.at(-1)?.syncs).toContain("c-bo");
  });

  it("asks the coordinator for its part of the room after a missed push, and does not pass on a stale one", async () => {
    const { presence, head: coordinator, link, reports, asked, push } = setup();
    const head = coordinator();
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    reports[0]?.answer();
    await settle();
    await link.receive(push() as HeadPush);
    const through = (id: string, since: number) => ({ through: { since, id } });
    head.apply(1, {
      ...emptyReport(),
      full: true,
      count: 1,
      users: [reportedUser("u-cy", 1_000_010)],
      ...through("u-cy", 1_000_010),
    });
    const missed = push() as HeadPush;
    head.apply(1, {
      ...emptyReport(),
      count: 2,
      users: [reportedUser("u-di", 1_000_020)],
      ...through("u-di", 1_000_020),
    });
    const after = push() as HeadPush;
    expect(after.no).toBe(missed.no + 1);
    const askedBefore = asked.length;
    await link.receive(after);
    expect(asked.slice(askedBefore)).toEqual([SHARD]);
    expect(link.view.hasUser("u-di")).toBe(true);
    expect(link.view.seq).toBe(after.seq);
    await link.receive(missed);
    expect(link.view.seq).toBe(after.seq);
  });

  it.each([
    ["passes on", SHOWS_EVERYONE, 1],
    ["does not pass on", 100, 0],
  ])("%s a new number with nothing for its sockets when one lists the whole room (%d)", async (_, shows, sent) => {
    const { presence, head, link, reports, published, push } = setup({ now: shows });
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    reports[0]?.answer();
    await settle();
    await link.receive(push() as HeadPush);
    // another shard's own people changed, outside what this shard's sockets show: a new number
    head().apply(1, { ...emptyReport(), full: true, connections: 1 });
    expect(head().takePushes().get(SHARD)).toBeUndefined(); // news for shard 1 alone
    head().apply(1, { ...emptyReport(), connections: 1, ownChanged: true });
    const next = push() as HeadPush;
    expect(next.seq).toBe(link.view.seq + 1);
    const before = published.length;
    await link.receive(next);
    const passed = published.slice(before).filter((p) => p.changes !== null);
    expect(passed).toHaveLength(sent);
    if (sent) expect(passed[0]?.changes).toMatchObject({ seq: next.seq, joined: [], updated: [], left: [] });
  });

  it("reports again at once when a push asks it for more of its people, though nothing changed here", async () => {
    const { presence, head, link, reports, push, later } = setup();
    for (const [n, id] of ["u-a", "u-b", "u-c", "u-d"].entries()) {
      presence.connect(`c-${n}`, { id, name: id, info: {} });
    }
    link.flush([], 1_000_000);
    expect(reports[0]?.report.users).toHaveLength(2); // what it shows before it is asked: two spares
    reports[0]?.answer();
    await settle();
    const first = push() as HeadPush;
    expect(first.request).toBeDefined();
    later.length = 0;
    await link.receive(first);
    expect(later).toContain(0);
    link.flush([], 1_000_050);
    expect(reports[1]?.report).toMatchObject({ more: false, users: [{ id: "u-c" }, { id: "u-d" }] });
    expect(head().exact).toBe(true);
  });

  it("tells the coordinator how many of the room's first users its sockets show, and again when that changes", async () => {
    const shown = { now: 100 };
    const { presence, link, reports, push } = setup(shown);
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    expect(reports[0]?.report.shows).toBe(100);
    reports[0]?.answer();
    await settle();
    await link.receive(push() as HeadPush);
    // a version 1 client came: nothing else changed, but the coordinator must hear it
    shown.now = SHOWS_EVERYONE;
    link.flush([], 1_000_050);
    expect(reports[1]?.report.shows).toBe(SHOWS_EVERYONE);
  });
});
