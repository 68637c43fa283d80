import * as v from "valibot";
import { isJsonObject, jsonObjectSchema } from "./json-object";
import { jsonSize } from "./json-size";
import { type JsonObject, LIMITS, type MemberIdentity, USER_STATUSES, type UserStatus } from "./protocol";
import { displayNameSchema, userIdSchema } from "./token-claims";

/**
 * The rules of members without a socket (`PUT /parties/<party>/<room>/members/<userId>`).
 *
 * @example
 * if (agents.size >= AGENT_LIMITS.maxAgents) return refuse("the room is full of agents");
 */
export const AGENT_LIMITS = {
  /** Most agent members one room holds at a time. */
  maxAgents: 100,
  /** Longest time-to-live of a `PUT`, in seconds (a day, like a token's lifetime). */
  maxTtlSeconds: 24 * 60 * 60,
} as const;

/** Connection ids of agent members start with this; a socket's `_pk` never may. */
const AGENT_CONNECTION_PREFIX = "agent:";

/**
 * What a `PUT .../members/<userId>` asks for, checked.
 *
 * @example
 * const checked = parseAgentMember("bot-1", body);
 * if (checked.ok) room.connect(agentConnectionId("bot-1"), checked.member.identity, { pinned: true });
 */
export interface AgentMemberRequest {
  identity: MemberIdentity;
  state: JsonObject;
  status: UserStatus;
  ttlSeconds: number;
}

const BodySchema = v.strictObject(
  {
    name: displayNameSchema,
    info: v.optional(jsonObjectSchema("`info` must be a JSON object")),
    state: v.optional(jsonObjectSchema("`state` must be a JSON object")),
    status: v.optional(v.picklist(USER_STATUSES, `\`status\` must be one of ${USER_STATUSES.join(", ")}`)),
    ttlSeconds: v.pipe(
      v.number("`ttlSeconds` is required and must be a number"),
      v.integer("`ttlSeconds` must be a whole number"),
      v.minValue(1, "`ttlSeconds` must be at least 1"),
      v.maxValue(AGENT_LIMITS.maxTtlSeconds, `\`ttlSeconds\` must be at most ${AGENT_LIMITS.maxTtlSeconds}`),
    ),
  },
  (issue) => `unknown field ${issue.received}: the body is { name, info?, state?, status?, ttlSeconds }`,
);
const UserIdSchema = userIdSchema("userId");

/**
 * Checks a member `PUT`: the user id from the path by a token `sub`'s rule,
 * the name by the display-name rule, `info` and `state` by the sizes of a
 * token's `info` and of `presence:state`, `status` one of the protocol's
 * (`active` when absent), `ttlSeconds` a whole number from 1 to 86,400.
 *
 * @example
 * const checked = parseAgentMember("bot-1", { name: "Assistant", ttlSeconds: 60 });
 * if (!checked.ok) return Response.json({ error: checked.reason }, { status: 400 });
 */
export function parseAgentMember(
  userId: string,
  body: unknown,
): { ok: true; member: AgentMemberRequest } | { ok: false; reason: string } {
  const id = v.safeParse(UserIdSchema, userId);
  if (!id.success) return { ok: false, reason: id.issues[0].message };
  if (!isJsonObject(body)) {
    return { ok: false, reason: "the body must be a JSON object { name, info?, state?, status?, ttlSeconds }" };
  }
  const parsed = v.safeParse(BodySchema, body);
  if (!parsed.success) return { ok: false, reason: parsed.issues[0].message };
  const { name, info = {}, state = {}, status = "active", ttlSeconds } = parsed.output;
  if (jsonSize(info) > LIMITS.infoBytes)
    return { ok: false, reason: `\`info\` is larger than ${LIMITS.infoBytes} bytes` };
  if (jsonSize(state) > LIMITS.stateBytes) {
    return { ok: false, reason: `\`state\` is larger than ${LIMITS.stateBytes} bytes` };
  }
  return { ok: true, member: { identity: { id: id.output, name, info, kind: "agent" }, state, status, ttlSeconds } };
}

/**
 * The connection id an agent member has in its room's presence, in the webhook and in the database copy.
 *
 * @example
 * agentConnectionId("bot-1"); // "agent:bot-1"
 */
export function agentConnectionId(userId: string): string {
  return AGENT_CONNECTION_PREFIX + userId;
}

/**
 * Whether a connection id is an agent member's, which no socket may take.
 *
 * @example
 * if (isAgentConnectionId(claimed)) claimed = `_${claimed}`;
 */
export function isAgentConnectionId(connectionId: string): boolean {
  return connectionId.startsWith(AGENT_CONNECTION_PREFIX);
}
