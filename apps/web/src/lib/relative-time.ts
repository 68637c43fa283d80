/**
 * "just now", "12 s ago", "5 min ago", "3 h ago", or the date, for admin tables.
 *
 * @example ago(new Date(Date.now() - 5000)) // "5 s ago"
 */
export function ago(date: Date, now = Date.now()): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 2) return "just now";
  if (seconds >= 86_400) return date.toISOString().slice(0, 10);
  return `${elapsed(seconds)} ago`;
}

/**
 * How long someone has been away, for the online list: "away" for under a
 * minute (a glance at another tab), then "away 4 min", "away 2 h".
 *
 * @example away(Date.now() - 4 * 60_000) // "away 4 min"
 */
export function away(since: number, now = Date.now()): string {
  const seconds = Math.round((now - since) / 1000);
  return seconds < 60 ? "away" : `away ${elapsed(seconds)}`;
}

/** "12 s", "5 min", "3 h": whole units, rounded down. */
function elapsed(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

/**
 * How long until a moment: "in 40 s", "in 59 min", "in 23 h", "in 6 days", for admin tables.
 *
 * @example until(new Date(Date.now() + 90 * 60_000)) // "in 2 h"
 */
export function until(date: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((date.getTime() - now) / 1000));
  if (seconds < 60) return `in ${seconds} s`;
  if (seconds < 3600) return `in ${Math.ceil(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `in ${Math.round(seconds / 3600)} h`;
  return `in ${Math.round(seconds / 86_400)} days`;
}
