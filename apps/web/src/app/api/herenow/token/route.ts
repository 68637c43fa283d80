import { createPresenceToken, isValidRoomName, roomNameProblem } from "@herenow/core";
import * as v from "valibot";
import { env } from "@/env";
import { bannedUserOf, browserUsersFromCookieHeader } from "@/server/browser-users";
import { problem } from "@/server/http";
import { PartyProblem, roomBans } from "@/server/party-api";
import { sessionFromCookieHeader } from "@/server/session";

export const dynamic = "force-dynamic";

const Query = v.object({ room: v.custom<string>(isValidRoomName) });

/** How long sign-in waits for the room's list of bans before going ahead without it. */
const BAN_CHECK_TIMEOUT_MS = 3_000;

/**
 * `GET /api/herenow/token?room=<room>`: the presence token of the signed-in
 * visitor for that room, `{ token, expiresAt }`. 400 for a bad room name,
 * 401 for an anonymous visitor (who then connects without a token), 403
 * `{ error, bannedUntil }` for a user banned from the room, or whose browser
 * signed in before as a user banned from it (`herenow_browser`), and 503
 * `{ error, reason }` when the party cannot take this visitor's socket:
 * `reason` is `party_unreachable`, `secret_mismatch` or
 * `party_misconfigured` (see `PartyProblemReason`), so the page can say
 * what happened instead of showing a refusal.
 */
export async function GET(request: Request): Promise<Response> {
  const room = new URL(request.url).searchParams.get("room");
  const query = v.safeParse(Query, { room });
  if (!query.success) return problem(400, roomNameProblem(room) ?? "invalid room name");
  // Only this site's pages need a token; a cross-site request gets nothing.
  if (request.headers.get("sec-fetch-site") === "cross-site") return problem(403, "cross-site request refused");
  const cookies = request.headers.get("cookie");
  const user = await sessionFromCookieHeader(cookies);
  // the user's own id, and those this browser signed in as before: a ban on any of them holds
  const userIds = user === null ? [] : [user.id, ...(await browserUsersFromCookieHeader(cookies))];
  // The list of bans doubles as the check that the party is there and shares our secret.
  const check = await checkParty(query.output.room, userIds);
  // a guest's socket carries no token, so only a secret that differs leaves it working
  if (check.problem && (user || check.problem.reason !== "secret_mismatch")) {
    return Response.json(
      { error: check.problem.message, reason: check.problem.reason },
      { status: 503, headers: { "cache-control": "no-store", "retry-after": "5" } },
    );
  }
  if (!user) return problem(401, "not signed in: anonymous visitors connect without a token");
  if (check.bannedUntil !== null) {
    return Response.json(
      {
        error: `you are banned from room "${query.output.room}" until ${new Date(check.bannedUntil).toISOString()}`,
        bannedUntil: check.bannedUntil,
      },
      { status: 403, headers: { "cache-control": "no-store" } },
    );
  }
  // good for this room only, for core's default ten minutes; the hook renews it at 75%
  const token = await createPresenceToken({ secret: env().secret, user, rooms: [query.output.room] });
  return Response.json(token, { headers: { "cache-control": "no-store" } });
}

/**
 * What the party says about this room and visitor: when the ban of the
 * user, or of another user this browser signed in as before, ends (or
 * `null`), and a `PartyProblem` that stops every socket. The party refuses a
 * banned user's socket itself (403 before the upgrade); a user the browser
 * signed in as after the ban is unknown to it, and only this check keeps
 * that one out. Any other failure (a slow party, a 404 from a party without
 * a bans endpoint) lets sign-in go ahead, and the room still keeps the
 * banned user out.
 */
async function checkParty(
  room: string,
  userIds: readonly string[],
): Promise<{ bannedUntil: number | null; problem: PartyProblem | null }> {
  try {
    const bans = await roomBans(room, { timeoutMs: BAN_CHECK_TIMEOUT_MS });
    const [userId, ...before] = userIds;
    const ban = userId === undefined ? null : bannedUserOf(bans, userId, before, Date.now());
    return { bannedUntil: ban?.until ?? null, problem: null };
  } catch (error) {
    if (error instanceof PartyProblem) {
      console.warn(`herenow: the party cannot take sockets for room "${room}" (${error.reason}): ${error.message}`);
      return { bannedUntil: null, problem: error };
    }
    console.warn(`herenow: no ban check for room "${room}": ${(error as Error).message}`);
    return { bannedUntil: null, problem: null };
  }
}
