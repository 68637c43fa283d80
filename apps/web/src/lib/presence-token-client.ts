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
 * Why the chat server cannot take this visitor's socket, as the token route
 * found when it asked the party (its 503 `reason`; the route's party-api.ts
 * decides which from the party's answer):
 * - `party_unreachable`: the party does not answer (down, or a network between);
 * - `secret_mismatch`: the party and this site have different `HERENOW_SECRET`s;
 * - `party_misconfigured`: the party runs without a usable setting (it names which).
 */
const PARTY_PROBLEM_REASONS = ["party_unreachable", "secret_mismatch", "party_misconfigured"] as const;

export type PartyProblemReason = (typeof PARTY_PROBLEM_REASONS)[number];

const isPartyProblemReason = (value: unknown): value is PartyProblemReason =>
  (PARTY_PROBLEM_REASONS as readonly unknown[]).includes(value);

/** The token route says the chat server cannot take sockets now (a 503 with a `reason`). */
export class PartyProblemError extends Error {
  override readonly name = "PartyProblemError";
  constructor(
    readonly reason: PartyProblemReason,
    /** The route's technical account, for whoever runs the site. */
    message: string,
  ) {
    super(message);
  }

  /** Only the site's operator can fix it: retrying from the page will not help until then. */
  get misconfigured(): boolean {
    return this.reason !== "party_unreachable";
  }
}

/**
 * The presence token of the signed-in visitor for a room, from
 * `/api/herenow/token`; `null` for an anonymous visitor (401), who then
 * connects without one. Throws a `TokenRefusedError` for a 403 (banned),
 * a `PartyProblemError` for a 503 with a reason, and a plain `Error` otherwise.
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
  if (response.status === 503) {
    const body = (await response.json().catch(() => ({}))) as { error?: unknown; reason?: unknown };
    if (isPartyProblemReason(body.reason)) {
      throw new PartyProblemError(body.reason, typeof body.error === "string" ? body.error : body.reason);
    }
  }
  if (!response.ok) throw new Error(`the token request failed with HTTP ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}
