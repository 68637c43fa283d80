import { MAX_USER_IDS } from "@herenow/db";
import * as v from "valibot";
import { env } from "@/env";
import { database } from "@/server/db";
import { problem } from "@/server/http";
import { bearerMatches } from "@/server/secret-equal";

export const dynamic = "force-dynamic";

const Body = v.object({
  userIds: v.pipe(
    v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
    v.minLength(1),
    v.maxLength(MAX_USER_IDS),
  ),
});

/**
 * `POST /api/presence/where` with `Authorization: Bearer <HERENOW_SECRET>`
 * and `{ "userIds": [...] }` (1 to 1,000 ids), for the app's other servers:
 * answers `{ users: { <id>: { rooms: [{ room, status, since }], lastSeen } } }`,
 * every id asked, times in ms since the epoch (`lastSeen` only for users in
 * no room, null if never seen), from the database copy.
 */
export async function POST(request: Request): Promise<Response> {
  if (!bearerMatches(request.headers.get("authorization"), env().secret)) {
    return problem(401, "send Authorization: Bearer <HERENOW_SECRET>", { "www-authenticate": "Bearer" });
  }
  const body: unknown = await request.json().catch(() => null);
  const parsed = v.safeParse(Body, body);
  if (!parsed.success) {
    return problem(400, `send { "userIds": [...] }: 1 to ${MAX_USER_IDS} ids of 1 to 128 characters`);
  }
  const found = await database().store.whereAre(parsed.output.userIds);
  const users = Object.fromEntries(
    [...found].map(([id, where]) => [
      id,
      {
        rooms: where.rooms.map((r) => ({ room: r.room, status: r.status, since: r.since.getTime() })),
        lastSeen: where.lastSeen?.getTime() ?? null,
      },
    ]),
  );
  return Response.json({ users }, { headers: { "cache-control": "no-store" } });
}
