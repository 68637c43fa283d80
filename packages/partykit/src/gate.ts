import { roomNameProblem } from "@herenow/core";
import type * as Party from "partykit/server";
import { Refusal, verifyConnection } from "./auth";
import { readSettings } from "./settings";

/**
 * `static onBeforeConnect` for a presence party: refuses bad room names and
 * connection ids with 400, bad tokens with 401, and everything with 500 and
 * the variable's name while the party is misconfigured.
 */
export async function presenceOnBeforeConnect(
  request: Party.Request,
  lobby: Party.Lobby,
): Promise<Response | undefined> {
  try {
    await verifyConnection(request.url, lobby.id, readSettings(lobby.env));
    return undefined;
  } catch (error) {
    return refusalResponse(error);
  }
}

/** `static onBeforeRequest`: refuses HTTP requests for badly named rooms before they wake a room. */
export async function presenceOnBeforeRequest(
  request: Party.Request,
  lobby: Party.Lobby,
): Promise<Response | Party.Request> {
  try {
    readSettings(lobby.env);
  } catch (error) {
    return refusalResponse(error);
  }
  const problem = roomNameProblem(lobby.id);
  return problem ? new Refusal(400, problem).toResponse() : request;
}

function refusalResponse(error: unknown): Response {
  if (error instanceof Refusal) return error.toResponse();
  const message = error instanceof Error ? error.message : String(error);
  // a missing secret must be visible to whoever runs the party, not only to the refused client
  console.error(`herenow: ${message}`);
  return new Response(`${message}\n`, { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
}
