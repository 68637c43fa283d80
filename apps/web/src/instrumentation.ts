/**
 * Runs once when a server process starts: checks the configuration, so a
 * production server with a missing or malformed setting stops right away
 * with a message naming it, instead of failing on its first request.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME and NEXT_PHASE are Next's own markers, not app settings: the
  // check needs Node, and `next build` has no business with secrets.
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.NEXT_PHASE !== "phase-production-build") {
    const { checkEnvAtStart } = await import("./server/check-env");
    checkEnvAtStart();
    // the admin login limit keys on the real client address
    const { stampSocketAddresses } = await import("./server/socket-address");
    stampSocketAddresses();
  }
}
