// Issue 27: a coordinator that keeps no list of the room (`RoomHead`), fed by shards that hold
// only their own people (`ShardReporter`, `ShardView`).
import { describe, expect, it } from "vitest";
import { type HeadPush, type HeadReport, ManualClock, SHOWS_EVERYONE, shardOf } from "../src/engine";
import { PersonShards } from "./person-shards";

const SHARDS = 4;
const start = () => {
  const clock = new ManualClock(1_000_000);
  const sharded = new PersonShards(clock, { shards: SHARDS, headSize: 3, recentMs: 600_000 });
  return { clock, sharded };
};
/** The first user ids that live on `shard`. */
const idsOn = (shard: number, count: number, prefix = "u"): string[] => {
  const ids: string[] = [];
  for (let n = 0; ids.length < count; n++) if (shardOf(`${prefix}${n}`, SHARDS) === shard) ids.push(`${prefix}${n}`);
  return ids;
};
const join = (sharded: PersonShards, clock: ManualClock, userId: string) => {
  clock.advance(1);
  sharded.at(`c-${userId}`, userId).connect(`c-${userId}`, { id: userId, name: userId, info: {} });
};
const leave = (sharded: PersonShards, userId: string) => sharded.at(`c-${userId}`, userId).leave(`c-${userId}`);
const quiet = (sharded: PersonShards) => {
  for (let k = 0; k < 4; k++) sharded.flush();
};
const headIds = (sharded: PersonShards) => sharded.head.head().map((user) => user.id);

describe("the head of a room sharded by person", () => {
  it("takes the next in line from the right shard when a head member leaves, in the same interval", () => {
    const { clock, sharded } = start();
    // one user on each shard in turn: the fourth, next in line, is on the last shard
    const [a0, a1, b0, b1, c0, c1, d0, d1] = [0, 1, 2, 3].flatMap((shard) => idsOn(shard, 2)) as string[];
    for (const id of [a0, b0, c0, d0, a1, b1, c1, d1] as string[]) join(sharded, clock, id);
    quiet(sharded);
    expect(headIds(sharded)).toEqual([a0, b0, c0]);
    // every shard exposes up to the cutoff and two spares: no more than the head and the spares
    expect(sharded.head.knownUsers).toBeLessThanOrEqual(3 + 2 * SHARDS);
    leave(sharded, b0 as string);
    sharded.flush();
    expect(headIds(sharded)).toEqual([a0, c0, d0]);
    expect(sharded.head.exact).toBe(true);
    for (const shard of sharded.shards) expect(shard.view.headIds(3)).toEqual([a0, c0, d0]);
  });

  it("asks a shard whose spares all went into the head for more, and is exact at the next quiet point", () => {
    const { clock, sharded } = start();
    const crowded = idsOn(0, 8);
    const other = idsOn(1, 2, "x");
    for (const id of [...crowded, ...other]) join(sharded, clock, id);
    quiet(sharded);
    expect(headIds(sharded)).toEqual(crowded.slice(0, 3));
    // the first three and both spares go at once: shard 0's next users are not at the coordinator
    for (const id of crowded.slice(0, 5)) leave(sharded, id);
    sharded.flush();
    expect(sharded.head.exact).toBe(false);
    quiet(sharded);
    expect(sharded.head.exact).toBe(true);
    expect(headIds(sharded)).toEqual(crowded.slice(5, 8));
    expect(sharded.head.userCount).toBe(5);
  });

  it("refills a head that lost many of its first users at once within three intervals, not two users at a time", () => {
    const clock = new ManualClock(1_000_000);
    const sharded = new PersonShards(clock, { shards: SHARDS, headSize: 12, recentMs: 600_000 });
    const crowded = idsOn(0, 30);
    for (const id of [...crowded, ...idsOn(1, 3, "x")]) join(sharded, clock, id);
    quiet(sharded);
    for (const id of crowded.slice(0, 14)) leave(sharded, id);
    for (let k = 0; k < 3; k++) sharded.flush();
    expect(sharded.head.exact).toBe(true);
    expect(sharded.head.head().map((user) => user.id)).toEqual(crowded.slice(14, 26));
    // the shards that had nothing to add were asked for no more than their share
    expect(sharded.head.knownUsers).toBeLessThanOrEqual(12 + 2 * SHARDS + 3);
  });

  it("replaces what it knew of a shard with the shard's full report", () => {
    const { clock, sharded } = start();
    for (const id of [...idsOn(2, 2), ...idsOn(3, 2)]) join(sharded, clock, id);
    quiet(sharded);
    const [gone, stays] = idsOn(2, 2) as [string, string];
    expect(headIds(sharded)).toContain(gone);
    // the shard restarts without one of its users (the socket closed while it was down)
    sharded.at(`c-${gone}`, gone).remove(`c-${gone}`, "closed");
    sharded.shards[2]?.room.takeDiff();
    sharded.restartShard(2);
    quiet(sharded);
    expect(headIds(sharded)).not.toContain(gone);
    expect(headIds(sharded)).toContain(stays);
    expect(sharded.head.userCount).toBe(3);
  });

  it("refuses a partial report from a shard it has no full report from", () => {
    const { sharded } = start();
    const partial: HeadReport = {
      full: false,
      connections: 0,
      count: 1,
      anonymous: 0,
      users: [],
      gone: [],
      through: null,
      more: true,
      ended: [],
      returned: [],
      interest: { add: [], remove: [] },
      events: [],
      at: 0,
    };
    expect(sharded.head.apply(1, partial)).toBe("needs-full");
    expect(sharded.head.userCount).toBe(0);
    expect(sharded.head.apply(1, { ...partial, full: true })).toBe("applied");
    expect(sharded.head.userCount).toBe(1);
  });

  it("drops a shard that stopped answering: its users leave the head, the counts and their followers", () => {
    const { clock, sharded } = start();
    const [lost] = idsOn(1, 1) as [string];
    const [kept] = idsOn(2, 1) as [string];
    join(sharded, clock, lost);
    join(sharded, clock, kept);
    sharded.follow(2, lost);
    quiet(sharded);
    expect(sharded.shards[2]?.view.hasUser(lost)).toBe(true);
    sharded.head.dropShard(1, clock.now());
    sharded.flush();
    expect(headIds(sharded)).toEqual([kept]);
    // its followers hear they left
    expect(sharded.shards[2]?.view.hasUser(lost)).toBe(false);
    expect(sharded.head.userCount).toBe(1);
    expect(sharded.head.recent().map((user) => user.id)).toEqual([lost]);
    expect(sharded.shards[2]?.view.userCount).toBe(1);
  });

  it("watches a followed person on their own shard and sends their changes only to the shards that follow them", () => {
    const { clock, sharded } = start();
    const early = [...idsOn(0, 2), ...idsOn(1, 2)];
    for (const id of early) join(sharded, clock, id);
    const [star] = idsOn(3, 1, "s") as [string];
    join(sharded, clock, star); // too late for the head
    quiet(sharded);
    expect(headIds(sharded)).not.toContain(star);
    expect(sharded.head.followedUser(star)).toBeUndefined();
    sharded.follow(1, star);
    quiet(sharded);
    expect(sharded.head.followedUser(star)?.id).toBe(star);
    expect(sharded.shards[1]?.view.presentUser(star)?.id).toBe(star);
    expect(sharded.shards[2]?.view.hasUser(star)).toBe(false);
    sharded.at(`c-${star}`, star).setState(`c-${star}`, { mood: "happy" });
    sharded.shards[3]?.room.tick();
    const { report } = sharded.shards[3]?.reporter.take({ full: false, at: clock.now() }) ?? { report: null };
    expect(report?.users.map((user) => user.id)).toEqual([star]);
    if (report) sharded.head.apply(3, report);
    const pushes = sharded.head.takePushes();
    expect(pushes.get(1)?.followed.map((user) => user.state)).toEqual([{ mood: "happy" }]);
    expect(pushes.get(2)?.followed).toEqual([]);
    for (const [index, push] of pushes) sharded.shards[index]?.view.apply(push);
    sharded.unfollow(1, star);
    quiet(sharded);
    expect(sharded.head.followedUser(star)).toBeUndefined();
    expect(sharded.shards[1]?.view.hasUser(star)).toBe(false);
    expect(sharded.head.knownUsers).toBeLessThanOrEqual(3 + 2 * SHARDS);
  });
});

describe("what the coordinator of a room sharded by person counts and sends", () => {
  it("knows which shards have anyone from their counts: users, anonymous ones, connections", () => {
    const { clock, sharded } = start();
    const [user] = idsOn(3, 1) as [string];
    join(sharded, clock, user);
    // an anonymous socket, on shard 1 by its connection id
    const [anon] = idsOn(1, 1, "anon") as [string];
    sharded.at(anon, null).connect(anon, null);
    quiet(sharded);
    expect([0, 1, 2, 3].map((shard) => sharded.head.connectionsOf(shard))).toEqual([0, 1, 0, 1]);
    expect(sharded.head.connectionCount).toBe(2);
    expect([sharded.head.userCount, sharded.head.anonymous]).toEqual([1, 1]);
    // shard 3 restarted with nobody: its full report replaces its part
    leave(sharded, user);
    sharded.shards[3]?.room.takeDiff();
    sharded.restartShard(3);
    quiet(sharded);
    expect([0, 1, 2, 3].map((shard) => sharded.head.connectionsOf(shard))).toEqual([0, 1, 0, 0]);
    expect([sharded.head.userCount, sharded.head.anonymous]).toEqual([0, 1]);
  });

  it("numbers a push anew only when a socket sees a change: the answer to a report keeps the number", () => {
    const { clock, sharded } = start();
    for (const id of [...idsOn(0, 1), ...idsOn(1, 1)]) join(sharded, clock, id);
    quiet(sharded);
    const { seq } = sharded.head;
    const shard = sharded.shards[2] as (typeof sharded.shards)[number];
    const before = sharded.head.snapshotFor(2).no;
    // an anonymous socket on shard 2 comes and goes within one interval: a report with its events only
    shard.room.connect("blip", null);
    shard.room.leave("blip");
    const { report } = shard.reporter.take({ full: false, at: clock.now(), no: 40 });
    expect(report).toMatchObject({ users: [], anonymous: 0, events: [{ type: "join" }, { type: "leave" }] });
    sharded.head.apply(2, report as HeadReport);
    const pushes = sharded.head.takePushes();
    // shard 2 hears its report was taken under the same number; the others hear nothing
    expect([...pushes.keys()]).toEqual([2]);
    expect(pushes.get(2)).toMatchObject({ seq, no: before + 1, reportNo: 40, head: [], headLeft: [], followed: [] });
    expect(sharded.head.seq).toBe(seq);
    expect(shard.view.apply(pushes.get(2) as HeadPush)).toMatchObject({ seq, joined: [], updated: [], left: [] });
    // someone comes: every shard's sockets see them, under the next number
    join(sharded, clock, idsOn(3, 1)[0] as string);
    const told = sharded.flush();
    expect(sharded.head.seq).toBe(seq + 1);
    expect([...told.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect([...told.values()].map((changes) => [changes.seq, changes.joined.length])).toEqual([
      [seq + 1, 1],
      [seq + 1, 1],
      [seq + 1, 1],
      [seq + 1, 1],
    ]);
  });

  it("makes the head the whole room while a shard lists it (`shows` everyone): every shard is asked for everyone", () => {
    const { clock, sharded } = start();
    const everyone = [0, 1, 2, 3].flatMap((shard) => idsOn(shard, 3));
    for (const id of everyone) join(sharded, clock, id);
    quiet(sharded);
    expect(sharded.head.head()).toHaveLength(3);
    const shard = sharded.shards[2] as (typeof sharded.shards)[number];
    shard.shows = SHOWS_EVERYONE;
    sharded.flush();
    expect(sharded.head.headSize).toBe(Number.MAX_SAFE_INTEGER);
    // the shards were asked with this push; what they exposed before is not the whole room
    expect(sharded.head.exact).toBe(false);
    quiet(sharded);
    expect(sharded.head.exact).toBe(true);
    expect(headIds(sharded)).toEqual(everyone);
    for (const index of [0, 1, 2, 3]) {
      expect(sharded.head.snapshotFor(index).request).toEqual({ cutoff: null, extra: Number.MAX_SAFE_INTEGER });
      expect(sharded.shards[index]?.view.headIds(100)).toEqual(everyone);
    }
    // the last socket that listed the room went: the head is its size again
    shard.shows = 0;
    quiet(sharded);
    expect(sharded.head.headSize).toBe(3);
    expect(headIds(sharded)).toEqual(everyone.slice(0, 3));
    expect(sharded.head.exact).toBe(true);
  });

  it("puts who left into `recent` at the time of the push that tells the shards, not of the report", () => {
    const { clock, sharded } = start();
    const [gone, stays] = [...idsOn(1, 1), ...idsOn(2, 1)] as [string, string];
    join(sharded, clock, gone);
    join(sharded, clock, stays);
    quiet(sharded);
    leave(sharded, gone);
    const reportedAt = clock.now();
    const shard = sharded.shards[1] as (typeof sharded.shards)[number];
    shard.room.tick();
    const { report } = shard.reporter.take({ full: false, at: reportedAt, no: 50 });
    sharded.head.apply(1, report as HeadReport);
    clock.advance(30);
    const pushes = sharded.head.takePushes();
    const push = pushes.get(2) as NonNullable<ReturnType<typeof pushes.get>>;
    expect(push.at).toBe(reportedAt + 30);
    expect(push.recent?.map((user) => [user.id, user.leftAt])).toEqual([[gone, push.at]]);
    expect(sharded.head.recent().map((user) => [user.id, user.leftAt])).toEqual([[gone, push.at]]);
    expect(sharded.shards[2]?.view.apply(push)).toMatchObject({ left: [gone], leftAt: push.at });
    expect(sharded.head.takeChange().diff).toMatchObject({ left: [gone], leftAt: push.at });
  });
});
