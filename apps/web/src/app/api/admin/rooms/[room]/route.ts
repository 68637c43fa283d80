import { isValidRoomName, roomNameProblem } from "@herenow/core";
import { roomListParams } from "@/lib/room-paging";
import { adminRoom } from "@/server/admin-data";
import { isAdminRequest } from "@/server/admin-session";
import { problem } from "@/server/http";

export const dynamic = "force-dynamic";

/**
 * `GET /api/admin/rooms/<room>?q=&page=`: a page of the room's connections (50, earliest
 * first, `q` in a user's name or id or the connection id) with `page`, `pageCount` and
 * `total`, as /admin/rooms/<room> shows them, and its session history; 401 without an
 * admin session.
 */
export async function GET(request: Request, context: { params: Promise<{ room: string }> }): Promise<Response> {
  if (!(await isAdminRequest(request))) return problem(401, "admin session required: sign in at /admin/login");
  const { room } = await context.params;
  if (!isValidRoomName(room)) return problem(400, roomNameProblem(room) ?? "invalid room name");
  const { searchParams } = new URL(request.url);
  // the first of a repeated parameter, as the page reads its own
  const params = roomListParams({ q: searchParams.get("q") ?? undefined, page: searchParams.get("page") ?? undefined });
  return Response.json(await adminRoom(room, params), { headers: { "cache-control": "no-store" } });
}
