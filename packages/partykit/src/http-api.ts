import { safeEqual } from "@herenow/core";
import type * as Party from "partykit/server";
import * as v from "valibot";
import type { PresenceRoom } from "./presence-room";

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
export async function handleRoomRequest(request: Party.Request, room: PresenceRoom): Promise<Response> {
  const auth = request.headers.get("authorization") ?? "";
  const bearer = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : "";
  if (!safeEqual(bearer, room.settings.secret)) {
    return new Response(JSON.stringify({ error: "send Authorization: Bearer <HERENOW_SECRET>" }), {
      status: 401,
      headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="herenow"' },
    });
  }
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
