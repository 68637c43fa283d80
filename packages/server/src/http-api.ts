import type { RoomSnapshot } from "@herenow/core";
import * as v from "valibot";
import type { AgentMemberResult } from "./agent-members";
import { hasBearer, unauthorized } from "./gate";
import type { Ban } from "./room-bans";
import { ShardUnavailable } from "./room-gather";

/** What the HTTP API needs of a room: nothing more, so it can be tested against any object. */
export interface RoomApi {
  readonly secret: string;
  /** The room now (a sharded room's coordinator may first wait for its shards after a restart). */
  snapshot(): RoomSnapshot | Promise<RoomSnapshot>;
  kick(target: { userId: string } | { connectionId: string }): Promise<number>;
  ban(userId: string, seconds: number): Promise<void>;
  bans(): Promise<Ban[]>;
  unban(userId: string): Promise<boolean>;
  /** Adds or refreshes a member without a socket from an unchecked body (`PUT .../members/<userId>`); without it, 404. */
  putMember?(userId: string, body: unknown): Promise<AgentMemberResult>;
  deleteMember?(userId: string): Promise<boolean>;
}

/** The largest member `PUT` body read, in bytes: its `info` and `state` fit with room to spare. */
const MEMBER_BODY_BYTES = 8 * 1024;

/** The longest ban the API accepts: a year. */
const MAX_BAN_SECONDS = 31_536_000;

const UserId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const KickSchema = v.union([
  v.strictObject({
    userId: UserId,
    banSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_BAN_SECONDS))),
  }),
  v.strictObject({ connectionId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
]);
const UnbanSchema = v.strictObject({ userId: UserId });

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function problem(status: number, message: string): Response {
  return json({ error: message }, status);
}

/**
 * The room's server-to-server API, all behind `Authorization: Bearer <HERENOW_SECRET>`:
 * `GET /parties/<party>/<room>` answers a snapshot (503 with Retry-After when a shard of a sharded room did not answer); `POST .../kick` with
 * `{ userId, banSeconds? }` or `{ connectionId }` closes those connections
 * with 4003 (and bans the user); `GET .../bans` lists bans, `POST .../unban`
 * with `{ userId }` lifts one; `PUT .../members/<userId>` with `{ name, info?,
 * state?, status?, ttlSeconds }` adds or refreshes a member without a socket,
 * `DELETE .../members/<userId>` removes it.
 *
 * @example
 * onRequest = (request: Request) => handleRoomRequest(request, this);
 */
export async function handleRoomRequest(request: Request, room: RoomApi): Promise<Response> {
  // the worker's gate checked this already; a room never trusts that it ran
  if (!hasBearer(request, room.secret)) return unauthorized();
  const path = new URL(request.url).pathname.split("/").filter(Boolean);
  // /parties/<party>/<room>[/<action>]
  const action = path[3];
  if (action === undefined) {
    if (request.method !== "GET") return problem(405, "use GET for a room's snapshot");
    try {
      return json(await room.snapshot());
    } catch (error) {
      // a sharded room's snapshot without one shard's people would be wrong: none at all, and why
      if (!(error instanceof ShardUnavailable)) throw error;
      return json({ error: error.message }, 503, { "retry-after": "1" });
    }
  }
  if (action === "members" && path.length === 5 && room.putMember && room.deleteMember) {
    return handleMember(request, path[4] ?? "", room.putMember.bind(room), room.deleteMember.bind(room));
  }
  if (path.length !== 4) return problem(404, `no such endpoint: ${path.slice(3).join("/")}`);
  if (action === "kick") {
    if (request.method !== "POST") return problem(405, "use POST to kick");
    const body = await readBody(request, KickSchema);
    if (!body) {
      return problem(400, "body must be { userId, banSeconds?: 1..31536000 } or { connectionId }");
    }
    // the ban first, so a reconnect racing the kick is already refused
    if ("userId" in body && body.banSeconds !== undefined) await room.ban(body.userId, body.banSeconds);
    return json({ closed: await room.kick("userId" in body ? { userId: body.userId } : body) });
  }
  if (action === "bans") {
    if (request.method !== "GET") return problem(405, "use GET for a room's bans");
    return json({ bans: await room.bans() });
  }
  if (action === "unban") {
    if (request.method !== "POST") return problem(405, "use POST to unban");
    const body = await readBody(request, UnbanSchema);
    if (!body) return problem(400, "body must be { userId }");
    return json({ unbanned: await room.unban(body.userId) });
  }
  return problem(404, `no such endpoint: ${path.slice(3).join("/")}`);
}

/** `PUT` and `DELETE` of `.../members/<userId>`: agent members (issue 29). */
async function handleMember(
  request: Request,
  encodedId: string,
  putMember: NonNullable<RoomApi["putMember"]>,
  deleteMember: NonNullable<RoomApi["deleteMember"]>,
): Promise<Response> {
  let userId: string;
  try {
    userId = decodeURIComponent(encodedId);
  } catch {
    return problem(400, "the user id in the path is not valid percent-encoding");
  }
  if (request.method === "DELETE") {
    return (await deleteMember(userId))
      ? json({ deleted: true })
      : problem(404, `the room has no agent member ${JSON.stringify(userId)}`);
  }
  if (request.method !== "PUT") return problem(405, "use PUT to add or refresh a member, DELETE to remove one");
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MEMBER_BODY_BYTES) {
    return problem(413, `the body may be at most ${MEMBER_BODY_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, "the body must be JSON: { name, info?, state?, status?, ttlSeconds }");
  }
  const result = await putMember(userId, body);
  if (!result.ok) return problem(result.status, result.error);
  const { created, expiresAt, member } = result;
  return json({ member, expiresAt }, created ? 201 : 200);
}

/** The request's JSON body checked against a schema, or `null` when it is not JSON or does not fit. */
async function readBody<T extends v.GenericSchema>(request: Request, schema: T): Promise<v.InferOutput<T> | null> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return null;
  }
  const parsed = v.safeParse(schema, body);
  return parsed.success ? parsed.output : null;
}
