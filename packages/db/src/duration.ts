const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * Parses `1500ms`, `60s`, `5m`, `1h` or plain milliseconds (`60000`).
 * Throws a RangeError naming the accepted forms.
 *
 * @example
 * parseDuration("5m"); // 300000
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match?.[1]) {
    throw new RangeError(
      `"${text}" is not a duration: use a number with ms, s, m or h (1500ms, 60s, 5m) or plain milliseconds`,
    );
  }
  const unit = (match[2] ?? "ms") as keyof typeof UNITS;
  return Math.round(Number(match[1]) * UNITS[unit]);
}

/**
 * Writes milliseconds back in the largest unit that divides them, except
 * that a lone "1m" or "1h" reads better as 60s or 60m.
 *
 * @example
 * formatDuration(60_000); // "60s"
 * formatDuration(300_000); // "5m"
 */
export function formatDuration(ms: number): string {
  if (ms > UNITS.h && ms % UNITS.h === 0) return `${ms / UNITS.h}h`;
  if (ms > UNITS.m && ms % UNITS.m === 0) return `${ms / UNITS.m}m`;
  if (ms >= UNITS.s && ms % UNITS.s === 0) return `${ms / UNITS.s}s`;
  return `${ms}ms`;
}
