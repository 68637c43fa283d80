import { roomListParams } from "@/lib/room-paging";
import { adminRoomList } from "@/server/admin-data";
import { isAdminRequest } from "@/server/admin-session";
import { problem } from "@/server/http";

export const dynamic = "force-dynamic";

/**
 * `GET /api/admin/rooms?q=&page=`: a page of rooms with their counts, as /admin
 * lists them (50 a page by name, `q` part of the name), with `page`,
 * `pageCount` and `total`; 401 without an admin session.
 */
export async function GET(request: Request): Promise<Response> {
  if (!(await isAdminRequest(request))) return problem(401, "admin session required: sign in at /admin/login");
  const params = roomListParams(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(await adminRoomList(params), { headers: { "cache-control": "no-store" } });
}
