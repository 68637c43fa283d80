import type { Migration } from "kysely/migration";
import * as init from "./2026-11-28T0000-init";
import * as batchesPerRoom from "./2026-11-28T0100-batches-per-room";
import * as batchPartsAndRoomLease from "./2026-11-28T2000-batch-parts-and-room-lease";
import * as presenceStatus from "./2026-12-05T2100-presence-status";
import * as roomOccupancy from "./2026-12-05T2200-room-occupancy";
import * as agentMembers from "./2026-12-05T2300-agent-members";
import * as presenceQuality from "./2026-12-05T2300-presence-quality";
import * as keptSteps from "./2026-12-06T0000-kept-steps";

/**
 * Every migration by name, listed statically rather than read from disk
 * (FileMigrationProvider) so that bundlers such as Next's see and ship them.
 * Names sort in the order they must run: add new files below with a later
 * timestamp.
 *
 * @example
 * new Migrator({ db, provider: { getMigrations: async () => migrations } });
 */
export const migrations: Record<string, Migration> = {
  "2026-11-28T0000-init": init,
  "2026-11-28T0100-batches-per-room": batchesPerRoom,
  "2026-11-28T2000-batch-parts-and-room-lease": batchPartsAndRoomLease,
  "2026-12-05T2100-presence-status": presenceStatus,
  "2026-12-05T2200-room-occupancy": roomOccupancy,
  "2026-12-05T2300-agent-members": agentMembers,
  "2026-12-05T2300-presence-quality": presenceQuality,
  "2026-12-06T0000-kept-steps": keptSteps,
};
