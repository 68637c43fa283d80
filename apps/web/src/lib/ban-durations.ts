/**
 * The ban lengths the admin page offers next to "Kick and ban" (the room's
 * API takes any whole number of seconds from 1 to a year).
 *
 * @example
 * BAN_DURATIONS.map(({ seconds, label }) => <option key={seconds} value={seconds}>{label}</option>)
 */
export const BAN_DURATIONS = [
  { seconds: 60 * 60, label: "1 hour" },
  { seconds: 24 * 60 * 60, label: "1 day" },
  { seconds: 7 * 24 * 60 * 60, label: "7 days" },
] as const;

/**
 * A ban length in words: one of the offered ones by name, else in hours.
 *
 * @example banDurationLabel(86_400) // "1 day"
 */
export function banDurationLabel(seconds: number): string {
  const offered = BAN_DURATIONS.find((duration) => duration.seconds === seconds);
  if (offered) return offered.label;
  const hours = Math.round((seconds / 3600) * 10) / 10;
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}
