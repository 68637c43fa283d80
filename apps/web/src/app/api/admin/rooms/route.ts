import { roomListParams } from "@/lib/room-paging";
import { adminRoomList } from "@/server/admin-data";
import { isAdminRequest } from "@/server/admin-session";
import { problem } from "@/server/http";

export const dynamic = "force-dynamic";

/**
 * `GET /api/admin/rooms?q=&page=`: a page of rooms with their counts, as /admin
 * lists them (50 a page by name, `q` part of the name), with `page`,
 * `pageCount` and `total`; a page past the end answers the last one, so
 * page up to `pageCount`. 401 without an admin session.
 */
export async function GET(request: Request): Promise<Response> {
  if (!(await isAdminRequest(request))) return problem(401, "admin session required: sign in at /admin/login");
  const { searchParams } = new URL(request.url);
  // the first of a repeated parameter, as /admin reads its own
  const params = roomListParams({ q: searchParams.get("q") ?? undefined, page: searchParams.get("page") ?? undefined });
  return Response.json(await adminRoomList(params), { headers: { "cache-control": "no-store" } });
}
