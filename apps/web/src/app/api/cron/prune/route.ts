import { runPrune } from "@herenow/db";
import { env } from "@/env";
import { database } from "@/server/db";
import { problem } from "@/server/http";
import { bearerMatches } from "@/server/secret-equal";

export const dynamic = "force-dynamic";

/**
 * `GET|POST /api/cron/prune` with `Authorization: Bearer <CRON_SECRET>` (what
 * Vercel Cron sends): removes presences older than `HERENOW_MAX_AGE_MS` and
 * rooms nobody is in. The rooms prune themselves with alarms; this is the
 * safety net for rooms that never came back (a party redeployed, say).
 */
async function prune(request: Request): Promise<Response> {
  const { cronSecret, maxAgeMs } = env();
  if (cronSecret === null) return problem(503, "CRON_SECRET is not set: the prune route is off");
  if (!bearerMatches(request.headers.get("authorization"), cronSecret)) {
    return problem(401, "send Authorization: Bearer <CRON_SECRET>", { "www-authenticate": "Bearer" });
  }
  const { presences, rooms } = await runPrune(database().db, { maxAgeMs, rooms: true });
  return Response.json({ presences: presences.length, rooms }, { headers: { "cache-control": "no-store" } });
}

export const GET = prune;
export const POST = prune;
