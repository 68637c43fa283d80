// The shard half of a sharded room, without a runtime: a real RoomPresence for the shard's own
// connections, a coordinator whose answers the test releases by hand, and a host that records
// what would go to the sockets.
import { ManualClock, type MirrorChanges, RoomPresence, type ShardReport } from "@herenow/core/engine";
import { describe, expect, it } from "vitest";
import { type ReportReply, ShardLink } from "../src/shard-link";

const ann = { id: "u-ann", name: "Ann", info: {} };
const bo = { id: "u-bo", name: "Bo", info: {} };

function setup() {
  const clock = new ManualClock(1_000_000);
  const presence = new RoomPresence({ clock, recordEvents: true });
  const reports: { report: ShardReport; answer: (reply: ReportReply) => void }[] = [];
  const published: { changes: MirrorChanges | null; syncs: string[]; held: string[] }[] = [];
  const later: number[] = [];
  const link = new ShardLink({
    shard: 2,
    presence,
    coordinator: () => ({
      herenowReport: (_shard: number, report: ShardReport) =>
        new Promise<ReportReply>((answer) => reports.push({ report, answer })),
      herenowPublished: async () => ({ seq: 0, users: [], anonymous: 0 }),
      herenowBanUntil: async () => null,
      herenowRelay: async () => {},
    }),
    publish: (changes, syncs, held) => published.push({ changes, syncs, held: [...held] }),
    resyncAll: () => {},
    flushLater: (ms) => later.push(ms),
    log: () => {},
  });
  return { clock, presence, link, reports, published, later };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const diff = (
  seq: number,
  joined = [{ ...ann, connections: 1, state: {}, since: 1_000_000, status: "active" as const, activeAt: 1_000_000 }],
): MirrorChanges => ({
  seq,
  joined,
  updated: [],
  left: [],
  anonymous: 0,
});

describe("ShardLink", () => {
  it("sends a newcomer no diff before its sync, even when the room's diff overtakes the answer to the report", async () => {
    const { presence, link, reports, published } = setup();
    await link.receive({ published: { seq: 0, users: [], anonymous: 0 } });
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.report.full).toBe(true); // the first report after a start says everything
    await link.receive({ diff: diff(1) });
    expect(published.at(-1)).toEqual({ changes: diff(1), syncs: [], held: ["c-ann"] });
    reports[0]?.answer({ seq: 1 });
    await settle();
    expect(published.at(-1)).toEqual({ changes: null, syncs: ["c-ann"], held: [] });
  });

  it("holds a newcomer's sync until the copy of the room reaches the diff that includes it", async () => {
    const { presence, link, reports, published } = setup();
    await link.receive({ published: { seq: 0, users: [], anonymous: 0 } });
    presence.connect("c-ann", ann);
    link.flush(["c-ann"], 1_000_000);
    reports[0]?.answer({ seq: 1 });
    await settle();
    expect(published.some((p) => p.syncs.includes("c-ann"))).toBe(false);
    await link.receive({ diff: diff(1) });
    expect(published.at(-1)).toEqual({ changes: diff(1), syncs: ["c-ann"], held: [] });
  });

  it("reports what changed while a report was in flight as soon as it is answered, as one report", async () => {
    const { presence, link, reports, later } = setup();
    presence.connect("c-ann", ann);
    link.flush([], 1_000_000);
    presence.connect("c-bo", bo);
    link.flush([], 1_000_050);
    link.flush([], 1_000_100);
    expect(reports).toHaveLength(1);
    reports[0]?.answer({ seq: 1 });
    await settle();
    expect(later).toEqual([0]);
    link.flush([], 1_000_150);
    expect(reports[1]?.report).toMatchObject({ full: false, users: [{ id: "u-bo" }] });
  });

  it("sends everything again after the coordinator refused a partial report or could not be reached", async () => {
    const { presence, link, reports, later } = setup();
    presence.connect("c-ann", ann);
    link.flush([], 1_000_000);
    reports[0]?.answer({ seq: 1 });
    await settle();
    presence.connect("c-bo", bo);
    link.flush([], 1_000_050);
    expect(reports[1]?.report.full).toBe(false);
    reports[1]?.answer({ need: "full" }); // the coordinator restarted and lost what it knew
    await settle();
    expect(later.at(-1)).toBe(1000);
    link.flush([], 1_001_050);
    expect(reports[2]?.report).toMatchObject({ full: true });
    expect(reports[2]?.report.users.map((user) => user.id)).toEqual(["u-ann", "u-bo"]);
  });
});
