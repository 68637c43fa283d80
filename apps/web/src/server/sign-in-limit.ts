import { countInWindow, secondsLeft } from "./rate-window";
import type { WebDb } from "./web-db";

/**
 * How many new identities (a sign-in without a session: a new random user
 * id) one client address may mint in a window. Renaming a signed-in user
 * mints none and is not counted.
 *
 * @example
 * `${SIGN_IN_LIMITS.perClient} sign-ins per ${SIGN_IN_LIMITS.windowMs / 60_000} min`
 */
export const SIGN_IN_LIMITS = { perClient: 20, windowMs: 10 * 60_000 } as const;

/**
 * Counts a new identity against its client address (from `clientAddress`;
 * every request without one shares a bucket) and says whether it may be
 * minted, or for how many seconds the address must wait.
 *
 * @example
 * const gate = await beginSignIn(db, clientAddress(request.headers, env().clientAddress));
 * if (!gate.allowed) return problem(429, "…", { "retry-after": String(gate.retryAfterSeconds) });
 */
export async function beginSignIn(
  db: WebDb,
  address: string | null,
  now = new Date(),
): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
  const { count, windowStartedAt } = await countInWindow(
    db,
    `signin:${address ?? "unknown"}`,
    SIGN_IN_LIMITS.windowMs,
    now,
  );
  if (count <= SIGN_IN_LIMITS.perClient) return { allowed: true };
  return { allowed: false, retryAfterSeconds: secondsLeft(windowStartedAt, SIGN_IN_LIMITS.windowMs, now) };
}
