import { isValidRoomName, roomNameProblem } from "@herenow/core";
import { adminRoom } from "@/server/admin-data";
import { isAdminRequest } from "@/server/admin-session";
import { problem } from "@/server/http";

export const dynamic = "force-dynamic";

/** `GET /api/admin/rooms/<room>`: the room's connections and session history; 401 without an admin session. */
export async function GET(request: Request, context: { params: Promise<{ room: string }> }): Promise<Response> {
  if (!(await isAdminRequest(request))) return problem(401, "admin session required: sign in at /admin/login");
  const { room } = await context.params;
  if (!isValidRoomName(room)) return problem(400, roomNameProblem(room) ?? "invalid room name");
  return Response.json(await adminRoom(room), { headers: { "cache-control": "no-store" } });
}
