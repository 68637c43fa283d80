import { decodeJwt } from "jose";
import { routePartykitRequest } from "partyserver";
import { presenceGates, refusalResponse } from "./gate";
import { readSettings } from "./settings";
import { isShardedRoom, SHARD_SEPARATOR, shardName, shardOfSocket } from "./shards";

/** The worker's env: bindings plus the `HERENOW_*` variables. */
type Env = object;

/**
 * Routes a request of a presence worker: `routePartykitRequest` with the
 * presence gates, and for a sharded room (`HERENOW_SHARDED_ROOMS`) each
 * WebSocket goes to one of the room's shard objects: a signed-in one to its
 * user's (`sub`), so all tabs of one person meet on one shard, an anonymous
 * one to its connection id's (`_pk`). The
 * room's HTTP API stays at the room's own object, its coordinator. Resolves
 * to `null` for a path that is not a room's.
 *
 * @example
 * export default {
 *   fetch: async (request: Request, env: Env) =>
 *     (await routePresenceRequest(request, env)) ?? new Response("Not found", { status: 404 }),
 * };
 */
export async function routePresenceRequest(request: Request, env: Env): Promise<Response | null> {
  const isWebSocket = request.headers.get("upgrade")?.toLowerCase() === "websocket";
  if (!isWebSocket) return routePartykitRequest(request, env as Record<string, unknown>, presenceGates(env));
  let settings: ReturnType<typeof readSettings>;
  try {
    settings = readSettings(env as Record<string, unknown>);
  } catch (error) {
    return refusalResponse(error);
  }
  const url = new URL(request.url);
  // Read the path as routePartykitRequest does (empty segments skipped, anything after the room
  // ignored), so `/parties/main/stage/`, `/parties/main/stage/x` and `/parties/main//stage` reach a
  // sharded room's shard as they reach a plain room, not its coordinator
  const parts = url.pathname.split("/").filter(Boolean);
  const room = parts[2];
  // a name with `~` is a shard's (reached directly) or refused by the gate: never sharded again
  if (parts[0] === "parties" && room && !room.includes(SHARD_SEPARATOR) && isShardedRoom(room, settings)) {
    let connectionId = url.searchParams.get("_pk");
    if (!connectionId) {
      connectionId = crypto.randomUUID();
      url.searchParams.set("_pk", connectionId);
    }
    // the token is only read here, to find its user's shard: the shard's gate verifies it
    parts[2] = shardName(room, shardOfSocket(subjectOf(url.searchParams.get("token")), connectionId, settings.shards));
    url.pathname = `/${parts.join("/")}`;
    request = new Request(url, request);
  }
  return routePartykitRequest(request, env as Record<string, unknown>, presenceGates(env));
}

/** The `sub` a token claims, unverified; `null` without a token or for one that is no JWT (the gate refuses it). */
function subjectOf(token: string | null): string | null {
  if (!token) return null;
  try {
    const { sub } = decodeJwt(token);
    return typeof sub === "string" && sub !== "" ? sub : null;
  } catch {
    return null;
  }
}
