import vercel from "../../vercel.json";

/**
 * A cron expression in words, for the five-field schedules a deployment
 * would use for the prune route; any other is quoted as it stands.
 *
 * @example
 * describeCron("0 4 * * *") // "daily at 04:00 UTC"
 */
export function describeCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  const [minute = "", hour = "", ...rest] = fields;
  const everyDay = fields.length === 5 && rest.every((field) => field === "*");
  const isNumber = (field: string) => /^\d{1,2}$/.test(field);
  if (everyDay && isNumber(minute) && isNumber(hour)) {
    return `daily at ${hour.padStart(2, "0")}:${minute.padStart(2, "0")} UTC`;
  }
  if (everyDay && isNumber(minute) && hour === "*") return "hourly";
  return `on the schedule "${expression}" (UTC)`;
}

/**
 * When Vercel Cron calls `/api/cron/prune`, read from `vercel.json` itself
 * so the admin page cannot say otherwise than the schedule that runs.
 *
 * @example
 * `the cron route prunes ${pruneSchedule()}` // "… daily at 04:00 UTC"
 */
export function pruneSchedule(): string {
  const cron = vercel.crons.find((each) => each.path === "/api/cron/prune");
  return cron ? describeCron(cron.schedule) : "never (no cron calls it in vercel.json)";
}
