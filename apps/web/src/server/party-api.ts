import { env } from "../env";

/** Whom to remove from a room: every connection of a user, or one connection. */
export type KickTarget = { userId: string } | { connectionId: string };

/**
 * Removes a user or a connection from a room through the room's HTTP API
 * (`POST /parties/main/<room>/kick` with the bearer secret); the party
 * closes those sockets with 4003. Resolves to how many connections went.
 *
 * @example
 * const closed = await kickFromRoom("lobby", { userId: "u_1…" });
 */
export async function kickFromRoom(room: string, target: KickTarget): Promise<number> {
  const settings = env();
  const url = `${settings.partyOrigin}/parties/main/${encodeURIComponent(room)}/kick`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${settings.secret}`, "content-type": "application/json" },
      body: JSON.stringify(target),
      signal: AbortSignal.timeout(10_000),
      cache: "no-store",
    });
  } catch (error) {
    throw new Error(`the party at ${settings.partyHost} did not answer: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`the party refused the kick (HTTP ${response.status}): ${text.slice(0, 200)}`);
  const closed = (JSON.parse(text) as { closed?: unknown }).closed;
  return typeof closed === "number" ? closed : 0;
}
