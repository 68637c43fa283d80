import { describe, expect, it } from "vitest";
import { agentConnectionId, ManualClock, RoomHead, RoomPresence, ShardReporter } from "../src/engine";
import { AGENT_LIMITS, type MemberIdentity, parseAgentMember } from "../src/index";

// Members without a socket (issue 29, item 1): the checks of a member PUT, and a pinned
// connection that no max age prunes, carrying its `kind` through diffs, recent and the head of a
// room sharded by person.

const bot: MemberIdentity = { id: "bot-1", name: "Assistant", info: {}, kind: "agent" };

describe("parseAgentMember", () => {
  it("takes a member with defaults, marked as an agent", () => {
    expect(parseAgentMember("bot-1", { name: " Assistant\u200B", ttlSeconds: 60 })).toEqual({
      ok: true,
      member: {
        identity: { id: "bot-1", name: "Assistant", info: {}, kind: "agent" },
        state: {},
        status: "active",
        ttlSeconds: 60,
      },
    });
  });

  it("refuses what a token or presence:state would refuse, with the reason", () => {
    const reasons = [
      parseAgentMember("", { name: "B", ttlSeconds: 1 }),
      parseAgentMember("bot", { name: "B", ttlSeconds: AGENT_LIMITS.maxTtlSeconds + 1 }),
      parseAgentMember("bot", { name: "B", ttlSeconds: 1, state: { text: "x".repeat(2048) } }),
      parseAgentMember("bot", { name: "B", ttlSeconds: 1, kind: "person" }),
      parseAgentMember("bot", null),
    ].map((result) => (result.ok ? "ok" : result.reason));
    expect(reasons).toEqual([
      "`userId` is empty",
      "`ttlSeconds` must be at most 86400",
      "`state` is larger than 2048 bytes",
      expect.stringMatching(/^unknown field/),
      expect.stringMatching(/must be a JSON object/),
    ]);
  });
});

describe("a pinned connection", () => {
  it("is never stale, shows its kind, and leaves into recent with it", () => {
    const clock = new ManualClock(1_000_000);
    const room = new RoomPresence({ clock, maxAgeMs: 60_000, recordEvents: true });
    room.connect(agentConnectionId("bot-1"), bot, { pinned: true });
    room.connect("c1", { id: "u1", name: "Ann", info: {} });
    expect(room.takeDiff()?.joined.map((user) => [user.id, user.kind])).toEqual([
      ["bot-1", "agent"],
      ["u1", undefined],
    ]);
    clock.advance(10 * 60_000);
    expect(room.tick().stale).toEqual(["c1"]);
    expect(room.hasUser("bot-1")).toBe(true);
    // the prune's next due is the person's only: the agent has none
    expect(room.nextDue()).toBeNull();
    room.setStatus(agentConnectionId("bot-1"), "hidden");
    expect(room.nextDue()).toBeNull();
    room.remove(agentConnectionId("bot-1"), "stale");
    room.takeDiff();
    expect(room.recent()[0]).toMatchObject({ id: "bot-1", kind: "agent" });
  });

  it("keeps its kind in the head of a room sharded by person, reported as the coordinator's virtual shard", () => {
    const room = new RoomPresence({ recordEvents: true });
    room.connect(agentConnectionId("bot-1"), bot, { pinned: true });
    const head = new RoomHead({ headSize: 10, shards: 4, ownerOf: () => -1 });
    const { report } = new ShardReporter(room).take({ full: true, at: Date.now(), no: 1 });
    if (!report) throw new Error("no report");
    expect(head.apply(-1, report)).toBe("applied");
    expect(head.takePushes().get(-1)?.head[0]).toMatchObject({ id: "bot-1", kind: "agent" });
    expect(head.takeChange().diff?.joined[0]).toMatchObject({ id: "bot-1", kind: "agent" });
    expect(head.shards()).toEqual([-1]);
  });
});
