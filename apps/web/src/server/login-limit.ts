import { sql } from "kysely";
import { countInWindow, secondsLeft } from "./rate-window";
import type { WebDb } from "./web-db";

/**
 * How failed admin logins are slowed down. Each bucket (a client address, or
 * a device that has logged in before) has `freeTries` failures free; after
 * that each failure makes it wait twice as long as the last before its next
 * try, from `firstDelayMs` up to `maxDelayMs`, until a success or a quiet
 * `forgetAfterMs`. Over all unknown clients together at most `global`
 * failures count in `globalWindowMs` (an attacker with many addresses still
 * meets it); a device that has logged in before skips that one, so an attack
 * slows the admin's own browser down no more than any one address.
 *
 * @example
 * `${ADMIN_LOGIN_LIMITS.freeTries} free tries, then a wait from ${ADMIN_LOGIN_LIMITS.firstDelayMs / 1000} s`
 */
export const ADMIN_LOGIN_LIMITS = {
  freeTries: 5,
  firstDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000,
  global: 100,
  globalWindowMs: 15 * 60_000,
} as const;

const GLOBAL = "global";

/** Whether a login attempt may check the password, and if not, for how long it must wait. */
export type LoginGate = { allowed: true } | { allowed: false; scope: "client" | "global"; retryAfterSeconds: number };

/**
 * How long a bucket waits before its next try after `failures` failures in a row.
 *
 * @example
 * loginDelayMs(ADMIN_LOGIN_LIMITS.freeTries) // 30_000
 */
export function loginDelayMs(failures: number): number {
  const { freeTries, firstDelayMs, maxDelayMs } = ADMIN_LOGIN_LIMITS;
  if (failures < freeTries) return 0;
  return Math.min(maxDelayMs, firstDelayMs * 2 ** (failures - freeTries));
}

/**
 * Counts an admin login attempt as a failure of its bucket (and, for a
 * client not known to have logged in before, of the global count) before
 * the password is checked, so attempts sent in parallel cannot all slip
 * through before the first failure is recorded: taking a try is one atomic
 * upsert per bucket, shared by every server instance. A login that then
 * succeeds takes its count back with `adminLoginSucceeded`.
 *
 * @example
 * const gate = await beginAdminLogin(db, "client:203.0.113.7", { global: true });
 * if (!gate.allowed) return problem(429, "…", { "retry-after": String(gate.retryAfterSeconds) });
 */
export async function beginAdminLogin(
  db: WebDb,
  bucket: string,
  options: { global: boolean; now?: Date },
): Promise<LoginGate> {
  const now = options.now ?? new Date();
  // the bucket first: a client that must wait must not use up everyone's tries
  const waitMs = await takeTry(db, bucket, now);
  if (waitMs > 0) return { allowed: false, scope: "client", retryAfterSeconds: Math.ceil(waitMs / 1000) };
  if (!options.global) return { allowed: true };
  const all = await countInWindow(db, GLOBAL, ADMIN_LOGIN_LIMITS.globalWindowMs, now);
  // a new global window: clear out buckets quiet for long enough to be forgotten
  if (all.count === 1) await forgetQuietBuckets(db, now);
  if (all.count > ADMIN_LOGIN_LIMITS.global) {
    const retryAfterSeconds = secondsLeft(all.windowStartedAt, ADMIN_LOGIN_LIMITS.globalWindowMs, now);
    return { allowed: false, scope: "global", retryAfterSeconds };
  }
  return { allowed: true };
}

/**
 * A successful login: its bucket starts over, and its attempt no longer
 * counts against the global limit.
 *
 * @example
 * if (isAdminPassword(password)) await adminLoginSucceeded(db, bucket, { global: true });
 */
export async function adminLoginSucceeded(db: WebDb, bucket: string, options: { global: boolean }): Promise<void> {
  await db.deleteFrom("herenow_web_login_failures").where("bucket", "=", bucket).execute();
  if (!options.global) return;
  await db
    .updateTable("herenow_web_login_failures")
    .set((eb) => ({ failures: eb("failures", "-", 1) }))
    .where("bucket", "=", GLOBAL)
    .where("failures", ">", 0)
    .execute();
}

/**
 * One more failure for a bucket whose wait is over, with the wait that
 * failure earns, in one statement; 0 when the try was taken, else how long
 * the bucket must still wait (the attempt is then not counted). For these
 * buckets `window_started_at` is the last failure, and a bucket without a
 * wait has `next_attempt_at` at the epoch, not at its last failure: requests
 * racing each other reach the database out of the order of their clocks, and
 * a free try must not be refused for being a millisecond "earlier".
 */
async function takeTry(db: WebDb, bucket: string, now: Date): Promise<number> {
  const { freeTries, firstDelayMs, maxDelayMs, forgetAfterMs } = ADMIN_LOGIN_LIMITS;
  const forgotten = new Date(now.getTime() - forgetAfterMs);
  const table = sql.table("herenow_web_login_failures");
  const failures = sql<number>`case when ${table}.window_started_at <= ${forgotten} then 1 else ${table}.failures + 1 end`;
  // loginDelayMs in SQL, of the failures this try makes
  const nextAttempt = (count: unknown) =>
    sql<Date>`case when ${count} < ${freeTries} then 'epoch'::timestamptz
      else ${now}::timestamptz + least(${maxDelayMs}, ${firstDelayMs} * power(2, ${count} - ${freeTries})) * interval '1 millisecond' end`;
  const taken = await db
    .insertInto("herenow_web_login_failures")
    .values({ bucket, window_started_at: now, failures: 1, next_attempt_at: nextAttempt(sql`1`) })
    .onConflict((conflict) =>
      conflict
        .column("bucket")
        .doUpdateSet({ failures, window_started_at: now, next_attempt_at: nextAttempt(failures) })
        .where("herenow_web_login_failures.next_attempt_at", "<=", now),
    )
    .returning("failures")
    .executeTakeFirst();
  if (taken) return 0;
  const row = await db
    .selectFrom("herenow_web_login_failures")
    .select("next_attempt_at")
    .where("bucket", "=", bucket)
    .executeTakeFirst();
  // a success in between deleted the row: the next try will be free
  return row ? Math.max(1, new Date(row.next_attempt_at).getTime() - now.getTime()) : 1;
}

async function forgetQuietBuckets(db: WebDb, now: Date): Promise<void> {
  const forgotten = new Date(now.getTime() - ADMIN_LOGIN_LIMITS.forgetAfterMs);
  await db
    .deleteFrom("herenow_web_login_failures")
    .where("bucket", "<>", GLOBAL)
    .where("window_started_at", "<=", forgotten)
    .execute();
}
