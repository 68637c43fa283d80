import type { WebDb } from "./web-db";

/**
 * Counts one more event in a bucket's fixed window, starting a new window
 * when the last one is over: one atomic upsert, shared by every server
 * instance, so events sent in parallel are all counted. Returns the count
 * in the current window (this one included) and when that window began.
 *
 * @example
 * const { count, windowStartedAt } = await countInWindow(db, "signin:203.0.113.7", 10 * 60_000);
 */
export async function countInWindow(
  db: WebDb,
  bucket: string,
  windowMs: number,
  now = new Date(),
): Promise<{ count: number; windowStartedAt: Date }> {
  const windowOver = new Date(now.getTime() - windowMs);
  const row = await db
    .insertInto("herenow_web_login_failures")
    .values({ bucket, window_started_at: now, failures: 1, next_attempt_at: now })
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
  return { count: row.failures, windowStartedAt: new Date(row.window_started_at) };
}

/**
 * Seconds until a window that began at `windowStartedAt` is over, at least 1: a `Retry-After`.
 *
 * @example
 * problem(429, "…", { "retry-after": String(secondsLeft(windowStartedAt, windowMs)) });
 */
export function secondsLeft(windowStartedAt: Date, windowMs: number, now = new Date()): number {
  return Math.max(1, Math.ceil((windowStartedAt.getTime() + windowMs - now.getTime()) / 1000));
}
