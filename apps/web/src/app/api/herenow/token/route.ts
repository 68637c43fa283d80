import { createPresenceToken, isValidRoomName, roomNameProblem } from "@herenow/core";
import * as v from "valibot";
import { env } from "../../../../env";
import { problem } from "../../../../server/http";
import { roomBans } from "../../../../server/party-api";
import { sessionFromCookieHeader } from "../../../../server/session";

export const dynamic = "force-dynamic";

const Query = v.object({ room: v.custom<string>(isValidRoomName) });

/** How long sign-in waits for the room's list of bans before going ahead without it. */
const BAN_CHECK_TIMEOUT_MS = 3_000;

/**
 * `GET /api/herenow/token?room=<room>`: the presence token of the signed-in
 * visitor for that room, `{ token, expiresAt }`. 400 for a bad room name,
 * 401 for an anonymous visitor (who then connects without a token), 403
 * `{ error, bannedUntil }` for a user banned from the room.
 */
export async function GET(request: Request): Promise<Response> {
  const room = new URL(request.url).searchParams.get("room");
  const query = v.safeParse(Query, { room });
  if (!query.success) return problem(400, roomNameProblem(room) ?? "invalid room name");
  // Only this site's pages need a token; a cross-site request gets nothing.
  if (request.headers.get("sec-fetch-site") === "cross-site") return problem(403, "cross-site request refused");
  const user = await sessionFromCookieHeader(request.headers.get("cookie"));
  if (!user) return problem(401, "not signed in: anonymous visitors connect without a token");
  const bannedUntil = await banOf(query.output.room, user.id);
  if (bannedUntil !== null) {
    return Response.json(
      {
        error: `you are banned from room "${query.output.room}" until ${new Date(bannedUntil).toISOString()}`,
        bannedUntil,
      },
      { status: 403, headers: { "cache-control": "no-store" } },
    );
  }
  // good for this room only, for core's default ten minutes; the hook renews it at 75%
  const token = await createPresenceToken({ secret: env().secret, user, rooms: [query.output.room] });
  return Response.json(token, { headers: { "cache-control": "no-store" } });
}

/**
 * When the user's ban from the room ends, or `null`. The party refuses a
 * banned user's socket itself (403 before the upgrade), so this check only
 * lets the page say why; when the party cannot be asked (down, slow, or
 * without a bans endpoint) sign-in goes ahead rather than failing for
 * everyone, and the room still keeps the banned user out.
 */
async function banOf(room: string, userId: string): Promise<number | null> {
  try {
    const bans = await roomBans(room, { timeoutMs: BAN_CHECK_TIMEOUT_MS });
    return bans.find((ban) => ban.userId === userId && ban.until > Date.now())?.until ?? null;
  } catch (error) {
    console.warn(`herenow: no ban check for room "${room}": ${(error as Error).message}`);
    return null;
  }
}
