import "server-only";
import { getRoomSnapshot } from "@herenow/client/server";
import { DEFAULTS, type PresenceSnapshot } from "@herenow/core";
import { env } from "@/env";

/** How long the room page waits for the room before it renders without the list (the socket fills it in). */
const READ_TIMEOUT_MS = 1500;

/**
 * Who is in a room, for the room page's first HTML: the room's own answer
 * (`getRoomSnapshot`, the HTTP API with the secret), given to the page's
 * `usePresence` as its `initialSnapshot`, so the list is there before any
 * script runs and never flashes empty. `undefined` when the party does not
 * answer in time, and for a room large enough to be windowed (the page then
 * shows the crowd panel, which the socket's first sync brings).
 *
 * @example
 * const initialSnapshot = await roomSnapshotForPage("lobby");
 */
export async function roomSnapshotForPage(room: string): Promise<PresenceSnapshot | undefined> {
  const { partyHost, partyOrigin, secret } = env();
  try {
    const snapshot = await getRoomSnapshot(room, {
      host: partyHost,
      secret,
      protocol: partyOrigin.startsWith("https:") ? "https" : "http",
      timeoutMs: READ_TIMEOUT_MS,
    });
    return snapshot.users.length > DEFAULTS.windowThreshold ? undefined : snapshot;
  } catch (error) {
    console.warn(`room page: rendered #${room} without who is here: ${(error as Error).message}`);
    return undefined;
  }
}
