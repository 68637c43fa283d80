import { adminRooms } from "@/server/admin-data";
import { isAdminRequest } from "@/server/admin-session";
import { problem } from "@/server/http";

export const dynamic = "force-dynamic";

/** `GET /api/admin/rooms`: every room with its counts; 401 without an admin session. */
export async function GET(request: Request): Promise<Response> {
  if (!(await isAdminRequest(request))) return problem(401, "admin session required: sign in at /admin/login");
  return Response.json({ rooms: await adminRooms() }, { headers: { "cache-control": "no-store" } });
}
