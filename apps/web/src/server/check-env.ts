import "server-only";
import { EnvError, env } from "@/env";

/**
 * Validates the settings when the server starts. A production server with a
 * bad configuration prints what is wrong and exits: better no server than
 * one that fails every request. In development the error shows in the
 * overlay instead.
 */
export function checkEnvAtStart(): void {
  try {
    env();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    if (error.production) process.exit(1);
    throw error;
  }
}
