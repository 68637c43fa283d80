import { lobbyRooms } from "@/server/lobby";

export const dynamic = "force-dynamic";

/** `GET /api/rooms`: `{ rooms: [{ name, people, users, anonymous, lastActivityAt }] }`, busiest first. */
export async function GET(): Promise<Response> {
  return Response.json({ rooms: await lobbyRooms() }, { headers: { "cache-control": "no-store" } });
}
