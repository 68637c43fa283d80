import { isValidRoomName, roomNameProblem } from "@herenow/core";
import * as v from "valibot";
import { problem } from "../../../../server/http";
import { issuePresenceToken } from "../../../../server/presence-token";
import { sessionFromCookieHeader } from "../../../../server/session";

export const dynamic = "force-dynamic";

const Query = v.object({ room: v.custom<string>(isValidRoomName) });

/**
 * `GET /api/herenow/token?room=<room>`: the presence token of the signed-in
 * visitor for that room, `{ token, expiresAt }`. 400 for a bad room name,
 * 401 for an anonymous visitor (who then connects without a token).
 */
export async function GET(request: Request): Promise<Response> {
  const room = new URL(request.url).searchParams.get("room");
  const query = v.safeParse(Query, { room });
  if (!query.success) return problem(400, roomNameProblem(room) ?? "invalid room name");
  // Only this site's pages need a token; a cross-site request gets nothing.
  if (request.headers.get("sec-fetch-site") === "cross-site") return problem(403, "cross-site request refused");
  const user = await sessionFromCookieHeader(request.headers.get("cookie"));
  if (!user) return problem(401, "not signed in: anonymous visitors connect without a token");
  const { token, expiresAt } = await issuePresenceToken(user, query.output.room);
  return Response.json({ token, expiresAt }, { headers: { "cache-control": "no-store" } });
}
