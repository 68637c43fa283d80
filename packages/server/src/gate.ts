import { roomNameProblem } from "@herenow/core";
import { safeEqual } from "@herenow/core/engine";
import type { Lobby } from "partyserver";
import { Refusal, verifyConnection } from "./auth";
import { readSettings } from "./settings";
import { refuseOtherShards, roleOf } from "./shards";

/** The worker's env: bindings plus the `HERENOW_*` variables. */
type Env = object;

/**
 * The gates of a presence worker, for `routePartykitRequest`: they run in the
 * worker before any room (Durable Object) wakes, so a refused WebSocket or
 * request creates no room, no storage, no webhook and no database row.
 *
 * - WebSockets: 400 for a bad room name or `_pk`, 401 for a bad or missing token.
 * - HTTP: 400 for a bad room name, 401 without `Authorization: Bearer <HERENOW_SECRET>`.
 * - Both: 500 naming the variable while the worker is misconfigured.
 *
 * @example
 * export default {
 *   fetch: async (request: Request, env: Env) =>
 *     (await routePartykitRequest(request, env, presenceGates(env))) ?? new Response("Not found", { status: 404 }),
 * };
 */
export function presenceGates(env: Env) {
  return {
    onBeforeConnect: (request: Request, lobby: Lobby) => presenceOnBeforeConnect(request, lobby, env),
    onBeforeRequest: (request: Request, lobby: Lobby) => presenceOnBeforeRequest(request, lobby, env),
  };
}

/** Refuses a WebSocket before the upgrade; `undefined` lets it through. */
export async function presenceOnBeforeConnect(
  request: Request,
  lobby: Pick<Lobby, "name">,
  env: Env,
): Promise<Response | undefined> {
  try {
    const settings = readSettings(env as Record<string, unknown>);
    const role = roleOf(lobby.name, settings);
    if (role?.kind === "coordinator") {
      throw new Refusal(
        500,
        `room ${lobby.name} is sharded (HERENOW_SHARDED_ROOMS): route requests with routePresenceRequest(request, env)`,
      );
    }
    // a shard is reached under its room's name: the token and the rules are the room's
    const user = await verifyConnection(request.url, role?.room ?? lobby.name, settings);
    refuseOtherShards(role, user, settings.shards);
    return undefined;
  } catch (error) {
    return refusalResponse(error);
  }
}

/** Refuses an HTTP request for a badly named room or without the bearer secret; else passes it on. */
export async function presenceOnBeforeRequest(
  request: Request,
  lobby: Pick<Lobby, "name">,
  env: Env,
): Promise<Response | Request> {
  let refused: Response | null = null;
  try {
    const { secret } = readSettings(env as Record<string, unknown>);
    const problem = roomNameProblem(lobby.name);
    if (problem) refused = new Refusal(400, problem).toResponse();
    else if (!hasBearer(request, secret)) refused = unauthorized();
  } catch (error) {
    refused = refusalResponse(error);
  }
  if (!refused) return request;
  // A refused body is never read, but it must not stay on the connection: workerd's dev
  // proxy then stalls the next request on the same keep-alive connection.
  await request.body?.cancel().catch(() => undefined);
  return refused;
}

/** Whether the request carries `Authorization: Bearer <secret>`, compared in constant time. */
export function hasBearer(request: Request, secret: string): boolean {
  const auth = request.headers.get("authorization") ?? "";
  const bearer = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : "";
  return safeEqual(bearer, secret);
}

export function unauthorized(): Response {
  return new Response(JSON.stringify({ error: "send Authorization: Bearer <HERENOW_SECRET>" }), {
    status: 401,
    headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="herenow"' },
  });
}

export function refusalResponse(error: unknown): Response {
  if (error instanceof Refusal) return error.toResponse();
  const message = error instanceof Error ? error.message : String(error);
  // a missing secret must be visible to whoever runs the party, not only to the refused client
  console.error(`herenow: ${message}`);
  return new Response(`${message}\n`, { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
}
