import { isValidRoomName, roomNameProblem } from "@herenow/core";
import { HISTORY_RANGES } from "@herenow/db";
import { rangeParam } from "@/lib/presence-history";
import { adminHistory } from "@/server/admin-history";
import { isAdminRequest } from "@/server/admin-session";
import { problem } from "@/server/http";

export const dynamic = "force-dynamic";

/**
 * `GET /api/admin/history?range=hour|day|week&room=`: people and connections
 * online per step over the range (the hour per minute, the day per 10
 * minutes, the week per hour), and flaps, vanished connections, time to
 * leave and restarts over it, for the site or one room, with the sentences
 * for what is off. The admin's charts draw it; 401 without an admin session.
 */
export async function GET(request: Request): Promise<Response> {
  if (!(await isAdminRequest(request))) return problem(401, "admin session required: sign in at /admin/login");
  const { searchParams } = new URL(request.url);
  const range = rangeParam(searchParams.get("range"));
  if (range === null) return problem(400, `range must be one of ${HISTORY_RANGES.join(", ")}`);
  const room = searchParams.get("room") || null;
  if (room !== null && !isValidRoomName(room)) return problem(400, roomNameProblem(room) ?? "invalid room name");
  return Response.json(await adminHistory(range, room), { headers: { "cache-control": "no-store" } });
}
