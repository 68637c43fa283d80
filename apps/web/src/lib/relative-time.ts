/**
 * "just now", "12 s ago", "5 min ago", "3 h ago", or the date, for admin tables.
 *
 * @example ago(new Date(Date.now() - 5000)) // "5 s ago"
 */
export function ago(date: Date, now = Date.now()): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 2) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return date.toISOString().slice(0, 10);
}
