/**
 * Where a room gets its token from; `null` connects anonymously. It is
 * called for a connect (a token with over a quarter of its life left is
 * reused), again before the token expires (read from its `exp`) and after
 * a refusal.
 *
 * @example
 * const getToken: TokenGetter = async ({ room }) => {
 *   const response = await fetch(`/api/herenow/token?room=${room}`);
 *   return response.ok ? response.text() : null;
 * };
 */
export type TokenGetter = (room: {
  host: string;
  party: string;
  room: string;
}) => string | null | Promise<string | null>;

/**
 * The `exp` claim of a JWT in ms since the epoch, read without verifying the
 * signature (the server verifies; the client only needs to know when to
 * fetch a new one), or `null` when there is none or the token is malformed.
 *
 * @example tokenExpiry(token) // 1764300000000
 */
export function tokenExpiry(token: string | null | undefined): number | null {
  const exp = claimsOf(token)?.exp;
  return typeof exp === "number" ? exp * 1000 : null;
}

/**
 * The `sub` claim of a JWT (the user it is for), read without verifying, or `null`: enough to
 * tell whether a freshly fetched token is another user's than the one a connection used.
 *
 * @example tokenSubject(token) // "u1"
 */
export function tokenSubject(token: string | null | undefined): string | null {
  const sub = claimsOf(token)?.sub;
  return typeof sub === "string" ? sub : null;
}

function claimsOf(token: string | null | undefined): Record<string, unknown> | null {
  const payload = token?.split(".")[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * When a token fetched at `fetchedAt` should be replaced: after three
 * quarters of its remaining life, so a 1 h token is renewed at 45 min and a
 * 4 s test token after 3 s. `Infinity` for a token without `exp` (or none).
 */
export function refreshAt(token: string | null | undefined, fetchedAt: number): number {
  const exp = tokenExpiry(token);
  return exp === null ? Number.POSITIVE_INFINITY : fetchedAt + Math.max(0, exp - fetchedAt) * 0.75;
}
