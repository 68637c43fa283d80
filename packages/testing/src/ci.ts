/**
 * Whether this runs on CI (`CI` set, and not to `0` or `false`), where the tests that need
 * a server, a browser or the npm registry must run rather than skip.
 *
 * @example
 * if (onCI()) throw new Error("DATABASE_URL is not set; CI must run the PostgreSQL tests");
 */
export function onCI(): boolean {
  const ci = process.env.CI;
  return Boolean(ci) && ci !== "0" && ci !== "false";
}
