/** The token route refused this user for the room (a ban): retrying will not help until it ends. */
export class TokenRefusedError extends Error {
  override readonly name = "TokenRefusedError";
  constructor(
    message: string,
    /** When the ban ends, in ms since the epoch, when the route said. */
    readonly until: number | null,
  ) {
    super(message);
  }
}

/**
 * The presence token of the signed-in visitor for a room, from
 * `/api/herenow/token`; `null` for an anonymous visitor (401), who then
 * connects without one. Throws a `TokenRefusedError` for a 403 (banned).
 *
 * @example
 * <PresenceProvider host={host} getToken={({ room }) => fetchPresenceToken(room)}>
 */
export async function fetchPresenceToken(room: string): Promise<string | null> {
  const response = await fetch(`/api/herenow/token?room=${encodeURIComponent(room)}`, { cache: "no-store" });
  if (response.status === 401) return null;
  if (response.status === 403) {
    const body = (await response.json().catch(() => ({}))) as { error?: unknown; bannedUntil?: unknown };
    throw new TokenRefusedError(
      typeof body.error === "string" ? body.error : "the token request was refused (HTTP 403)",
      typeof body.bannedUntil === "number" ? body.bannedUntil : null,
    );
  }
  if (!response.ok) throw new Error(`the token request failed with HTTP ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}
