import type { WebDb } from "./web-db";

/**
 * How many admin logins may fail in a fixed window: per client address, and
 * over all clients together (an attacker with many addresses, or one who
 * invents a new `X-Forwarded-For` for every guess, still meets the second).
 *
 * @example
 * `${ADMIN_LOGIN_LIMITS.perClient} tries per ${ADMIN_LOGIN_LIMITS.windowMs / 60_000} min`
 */
export const ADMIN_LOGIN_LIMITS = { windowMs: 15 * 60_000, perClient: 10, global: 100 } as const;

const GLOBAL = "global";
const ADDRESS = /^[0-9a-z.:%[\]_-]{1,64}$/;

/** Whether a login attempt may check the password, and if not, for how long it must wait. */
export type LoginGate = { allowed: true } | { allowed: false; scope: "client" | "global"; retryAfterSeconds: number };

/**
 * The rate-limit bucket of a request's client: the first `X-Forwarded-For`
 * entry (what the proxy in front saw: Vercel and most load balancers set
 * it), else `X-Real-IP`, else one shared bucket for every client without
 * either. Nothing here can tell a proxy's header from one the client made
 * up when no proxy rewrites it; the global limit covers that.
 *
 * @example
 * clientBucket(new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.1" })) // "client:203.0.113.7"
 */
export function clientBucket(headers: Headers): string {
  for (const header of [headers.get("x-forwarded-for")?.split(",")[0], headers.get("x-real-ip")]) {
    const address = header?.trim().toLowerCase();
    if (address && ADDRESS.test(address)) return `client:${address}`;
  }
  return "client:unknown";
}

/**
 * Counts an admin login attempt against its client's bucket and the global
 * one before the password is checked, so attempts sent in parallel cannot
 * all slip through before the first failure is recorded (the count is one
 * atomic upsert per bucket, shared by every server instance). A login that
 * then succeeds takes its count back with `adminLoginSucceeded`.
 *
 * @example
 * const gate = await beginAdminLogin(db, clientBucket(request.headers));
 * if (!gate.allowed) return problem(429, "…", { "retry-after": String(gate.retryAfterSeconds) });
 */
export async function beginAdminLogin(db: WebDb, bucket: string, now = new Date()): Promise<LoginGate> {
  // the client's bucket first: a client over its own limit must not use up everyone's
  const client = await countAttempt(db, bucket, now);
  if (client.failures > ADMIN_LOGIN_LIMITS.perClient) return refused("client", client.windowStartedAt, now);
  const all = await countAttempt(db, GLOBAL, now);
  // a new global window: buckets whose window is over have nothing left to say
  if (all.failures === 1) await forgetOldWindows(db, now);
  if (all.failures > ADMIN_LOGIN_LIMITS.global) return refused("global", all.windowStartedAt, now);
  return { allowed: true };
}

/**
 * A successful login: the client starts over, and its attempt no longer
 * counts against the global limit.
 *
 * @example
 * if (isAdminPassword(password)) await adminLoginSucceeded(db, bucket);
 */
export async function adminLoginSucceeded(db: WebDb, bucket: string): Promise<void> {
  await db.deleteFrom("herenow_web_login_failures").where("bucket", "=", bucket).execute();
  await db
    .updateTable("herenow_web_login_failures")
    .set((eb) => ({ failures: eb("failures", "-", 1) }))
    .where("bucket", "=", GLOBAL)
    .where("failures", ">", 0)
    .execute();
}

/** One more attempt in a bucket, starting a new window when the last one is over. */
async function countAttempt(
  db: WebDb,
  bucket: string,
  now: Date,
): Promise<{ failures: number; windowStartedAt: Date }> {
  const windowOver = new Date(now.getTime() - ADMIN_LOGIN_LIMITS.windowMs);
  const row = await db
    .insertInto("herenow_web_login_failures")
    .values({ bucket, window_started_at: now, failures: 1 })
    .onConflict((conflict) =>
      conflict.column("bucket").doUpdateSet((eb) => {
        const over = eb("herenow_web_login_failures.window_started_at", "<=", windowOver);
        return {
          failures: eb
            .case()
            .when(over)
            .then(1)
            .else(eb("herenow_web_login_failures.failures", "+", 1))
            .end(),
          window_started_at: eb
            .case()
            .when(over)
            .then(now)
            .else(eb.ref("herenow_web_login_failures.window_started_at"))
            .end(),
        };
      }),
    )
    .returning(["failures", "window_started_at"])
    .executeTakeFirstOrThrow();
  return { failures: row.failures, windowStartedAt: new Date(row.window_started_at) };
}

async function forgetOldWindows(db: WebDb, now: Date): Promise<void> {
  const windowOver = new Date(now.getTime() - ADMIN_LOGIN_LIMITS.windowMs);
  await db.deleteFrom("herenow_web_login_failures").where("window_started_at", "<=", windowOver).execute();
}

function refused(scope: "client" | "global", windowStartedAt: Date, now: Date): LoginGate {
  const endsInMs = windowStartedAt.getTime() + ADMIN_LOGIN_LIMITS.windowMs - now.getTime();
  return { allowed: false, scope, retryAfterSeconds: Math.max(1, Math.ceil(endsInMs / 1000)) };
}
