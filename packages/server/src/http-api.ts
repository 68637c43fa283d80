import type { RoomSnapshot } from "@herenow/core";
import * as v from "valibot";
import { hasBearer, unauthorized } from "./gate";

/** What the HTTP API needs of a room: nothing more, so it can be tested against any object. */
export interface RoomApi {
  readonly secret: string;
  snapshot(): RoomSnapshot;
  kick(target: { userId: string } | { connectionId: string }): Promise<number>;
}

const KickSchema = v.union([
  v.object({ userId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) }),
  v.object({ connectionId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
]);

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function problem(status: number, message: string): Response {
  return json({ error: message }, status);
}

/**
 * The room's server-to-server API, all behind `Authorization: Bearer <HERENOW_SECRET>`:
 * `GET /parties/<party>/<room>` answers a snapshot, `POST .../kick` with
 * `{ userId }` or `{ connectionId }` closes those connections with 4003.
 */
export async function handleRoomRequest(request: Request, room: RoomApi): Promise<Response> {
  // the worker's gate checked this already; a room never trusts that it ran
  if (!hasBearer(request, room.secret)) return unauthorized();
  const path = new URL(request.url).pathname.split("/").filter(Boolean);
  // /parties/<party>/<room>[/<action>]
  const action = path[3];
  if (action === undefined) {
    if (request.method !== "GET") return problem(405, "use GET for a room's snapshot");
    return json(room.snapshot());
  }
  if (action === "kick" && path.length === 4) {
    if (request.method !== "POST") return problem(405, "use POST to kick");
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return problem(400, "body must be JSON: { userId } or { connectionId }");
    }
    const parsed = v.safeParse(KickSchema, body);
    if (!parsed.success) return problem(400, "body must be { userId: string } or { connectionId: string }");
    return json({ closed: await room.kick(parsed.output) });
  }
  return problem(404, `no such endpoint: ${path.slice(3).join("/")}`);
}
