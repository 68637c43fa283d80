// The fixture workers the room suites run under a local Workers runtime (@herenow/testing's
// PartyServer): test/fixtures/<name>, each a folder with a wrangler.jsonc.
import { join } from "node:path";
import { partySuite } from "@herenow/testing/suite";

/**
 * `presence`: a bare PresenceServer, what most suites run; `counting`: rooms that count the frames
 * they are woken for; `extended`: a subclass that overrides every handler without calling super;
 * `agent-rpc`: a worker whose own code puts agent members with `roomMembers`; `app-keys`: a room that
 * writes storage keys of its own and overrides both onMessage and onAppMessage.
 */
export type FixtureWorker = "presence" | "counting" | "extended" | "agent-rpc" | "app-keys";

/** The folder of a fixture worker, for `PartyServer.start(vars, fixtureWorker(name))`. */
export function fixtureWorker(name: FixtureWorker): string {
  return join(import.meta.dirname, "..", "fixtures", name);
}

/** The bare PresenceServer worker. */
export const PRESENCE_WORKER = fixtureWorker("presence");

/**
 * `partySuite` over the bare PresenceServer worker: one runtime for the file, clients closed after each test.
 * @example const party = roomSuite({ HERENOW_LEAVE_GRACE_MS: "800" });
 */
export function roomSuite(vars: Record<string, string> = {}) {
  return partySuite(vars, PRESENCE_WORKER);
}
