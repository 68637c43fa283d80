import type { RoomSnapshot } from "@herenow/core";
import * as v from "valibot";
import { hasBearer, unauthorized } from "./gate";
import type { Ban } from "./room-bans";

/** What the HTTP API needs of a room: nothing more, so it can be tested against any object. */
export interface RoomApi {
  readonly secret: string;
  /** The room now (a sharded room's coordinator may first wait for its shards after a restart). */
  snapshot(): RoomSnapshot | Promise<RoomSnapshot>;
  kick(target: { userId: string } | { connectionId: string }): Promise<number>;
  ban(userId: string, seconds: number): Promise<void>;
  bans(): Promise<Ban[]>;
  unban(userId: string): Promise<boolean>;
}

/** The longest ban the API accepts: a year. */
export const MAX_BAN_SECONDS = 31_536_000;

const UserId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const KickSchema = v.union([
  v.strictObject({
    userId: UserId,
    banSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_BAN_SECONDS))),
  }),
  v.strictObject({ connectionId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
]);
const UnbanSchema = v.strictObject({ userId: UserId });

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function problem(status: number, message: string): Response {
  return json({ error: message }, status);
}

/**
 * The room's server-to-server API, all behind `Authorization: Bearer <HERENOW_SECRET>`:
 * `GET /parties/<party>/<room>` answers a snapshot; `POST .../kick` with
 * `{ userId, banSeconds? }` or `{ connectionId }` closes those connections
 * with 4003 (and bans the user); `GET .../bans` lists bans, `POST .../unban`
 * with `{ userId }` lifts one.
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
    return json(await room.snapshot());
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
