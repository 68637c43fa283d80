import {
  AGENT_LIMITS,
  type AgentMemberRequest,
  type JsonObject,
  type MemberIdentity,
  type PresenceUser,
  parseAgentMember,
  type UserStatus,
} from "@herenow/core";
import { agentConnectionId, type RestoredConnection, type RoomPresence } from "@herenow/core/engine";
import { PREFIXES } from "./storage-keys";

/**
 * What a server's code sends to add or refresh a member without a socket (an AI assistant, a bot).
 *
 * @example
 * const member: AgentMemberInput = { name: "Assistant", state: { thinking: true }, ttlSeconds: 60 };
 */
export interface AgentMemberInput {
  /** Shown like a person's name (the display-name rule of tokens applies). */
  name: string;
  /** Like a token's `info`: at most 1 KiB of JSON. */
  info?: JsonObject;
  /** Like `presence:state`: at most 2 KiB of JSON (`{}` when absent). */
  state?: JsonObject;
  /** `active` when absent. */
  status?: UserStatus;
  /** How long the member stays unless put again: 1 to 86,400 seconds. */
  ttlSeconds: number;
}

/**
 * The answer to a member `PUT`: the member as the room shows it, or why it was refused (an HTTP status and a reason).
 *
 * @example
 * const result: AgentMemberResult = await room.putMember("bot-1", member);
 * if (!result.ok) console.warn(result.status, result.error);
 */
export type AgentMemberResult =
  | { ok: true; created: boolean; expiresAt: number; member: PresenceUser }
  | { ok: false; status: 400 | 409; error: string };

/** An agent member as the room's storage keeps it, so it outlives hibernation. */
interface StoredAgent {
  identity: MemberIdentity;
  state: JsonObject;
  stateAt: number;
  status: UserStatus;
  activeAt: number;
  joinedAt: number;
  expiresAt: number;
}

/** What `AgentMembers` needs of its room. */
export interface AgentHost {
  /** The presence that holds the room's agents: a room's own, or a sharded room's coordinator's. */
  readonly presence: RoomPresence;
  readonly storage: Pick<DurableObjectStorage, "list" | "put" | "delete">;
  /** Whether a person (a connection with a token) with this user id is in the room now. */
  personPresent(userId: string): Promise<boolean>;
  /** The room changed: its diff goes out at the end of the coalescing window. */
  changed(): void;
}

const MEMBER_PREFIX = PREFIXES.member;

/**
 * The room's members without a socket (issue 29): put and refreshed over the
 * room's HTTP API or by the worker's code, each a pinned connection of the
 * room's presence (`agent:<userId>`), so it counts as a user everywhere a
 * person does but no max age prunes it and no grace delays its leave. It
 * leaves when deleted or when its TTL ends (`expire`, from the room's
 * alarm). Kept in storage, since a room wakes with only what storage and
 * socket attachments hold.
 */
export class AgentMembers {
  private readonly agents = new Map<string, StoredAgent>();

  constructor(private readonly host: AgentHost) {}

  /** The agents the room kept, for `RoomPresence.restore`; expired ones too, so their leave is an event. */
  async load(): Promise<RestoredConnection[]> {
    const stored = await this.host.storage.list<StoredAgent>({ prefix: MEMBER_PREFIX });
    const restored: RestoredConnection[] = [];
    for (const agent of stored.values()) {
      this.agents.set(agent.identity.id, agent);
      restored.push({
        id: agentConnectionId(agent.identity.id),
        user: agent.identity,
        joinedAt: agent.joinedAt,
        lastSeen: agent.joinedAt,
        since: agent.joinedAt,
        state: agent.state,
        stateAt: agent.stateAt,
        status: agent.status,
        activeAt: agent.activeAt,
        pinned: true,
      });
    }
    return restored;
  }

  /** How many agent members the room has. */
  get count(): number {
    return this.agents.size;
  }

  /** Whether an agent member with this user id is in the room. */
  has(userId: string): boolean {
    return this.agents.has(userId);
  }

  /** Adds or refreshes an agent member from an unchecked body (an HTTP request's, an RPC's). */
  async put(userId: string, body: unknown, now: number): Promise<AgentMemberResult> {
    const checked = parseAgentMember(userId, body);
    if (!checked.ok) return { ok: false, status: 400, error: checked.reason };
    const { member } = checked;
    const id = member.identity.id;
    const before = this.agents.get(id);
    if (!before) {
      if (await this.host.personPresent(id)) {
        return {
          ok: false,
          status: 409,
          error: `user ${id} is in the room as a person: an agent member needs an id of its own`,
        };
      }
      if (this.agents.size >= AGENT_LIMITS.maxAgents) {
        return {
          ok: false,
          status: 409,
          error: `the room holds ${AGENT_LIMITS.maxAgents} agent members, the most it may`,
        };
      }
    }
    const agent = this.apply(member, before, now);
    this.agents.set(id, agent);
    await this.host.storage.put(MEMBER_PREFIX + id, agent);
    this.host.changed();
    const shown = this.host.presence.presentUser(id);
    if (!shown) throw new Error(`agent member ${id} is missing from the room's presence`);
    return { ok: true, created: !before, expiresAt: agent.expiresAt, member: shown };
  }

  /** Removes an agent member at once (a leave with reason `left`); `false` when there was none. */
  async delete(userId: string): Promise<boolean> {
    if (!this.agents.delete(userId)) return false;
    await this.host.storage.delete(MEMBER_PREFIX + userId);
    this.host.presence.remove(agentConnectionId(userId), "left");
    this.host.changed();
    return true;
  }

  /** When the next agent's TTL ends, for the room's alarm; `null` without agents. */
  nextDue(): number | null {
    let due: number | null = null;
    for (const agent of this.agents.values()) if (due === null || agent.expiresAt < due) due = agent.expiresAt;
    return due;
  }

  /** Removes the agents whose TTL ended by `now` (a leave with reason `stale`); returns how many went. */
  async expire(now: number): Promise<number> {
    const gone = [...this.agents.values()].filter((agent) => agent.expiresAt <= now).map((agent) => agent.identity.id);
    if (gone.length === 0) return 0;
    for (const id of gone) {
      this.agents.delete(id);
      this.host.presence.remove(agentConnectionId(id), "stale");
    }
    await this.host.storage.delete(gone.map((id) => MEMBER_PREFIX + id));
    this.host.changed();
    return gone.length;
  }

  /** Puts the member into the room's presence: a join the first time, an update (if anything changed) after. */
  private apply(member: AgentMemberRequest, before: StoredAgent | undefined, now: number): StoredAgent {
    const { presence } = this.host;
    const connectionId = agentConnectionId(member.identity.id);
    if (before) {
      presence.identify(connectionId, member.identity);
      presence.touch(connectionId);
    } else presence.connect(connectionId, member.identity, { pinned: true });
    const stateChanged = !before || JSON.stringify(before.state) !== JSON.stringify(member.state);
    // a new member's empty state is no change; a refresh with the same state is none either
    if (stateChanged && (before || Object.keys(member.state).length > 0)) presence.setState(connectionId, member.state);
    presence.setStatus(connectionId, member.status);
    const status = presence.connectionStatus(connectionId);
    return {
      identity: member.identity,
      state: member.state,
      stateAt: stateChanged ? now : (before?.stateAt ?? 0),
      status: status?.status ?? member.status,
      activeAt: status?.activeAt ?? now,
      joinedAt: before?.joinedAt ?? now,
      expiresAt: now + member.ttlSeconds * 1000,
    };
  }
}
