import type { Kysely } from "kysely";
import type { PresenceChangedEvent } from "./presence-types";
import type { Database } from "./schema";

/**
 * What a store lends the webhook handler it is given to: its database and
 * the function that tells its listeners. Under a symbol that the package
 * does not export, so application code holding a store cannot emit changes
 * that no write made.
 */
export const STORE_INTERNALS: unique symbol = Symbol("herenow.presenceStore");

export interface StoreInternals {
  db: Kysely<Database>;
  emit: (change: PresenceChangedEvent) => void;
}

/** The internals of a store from `createPresenceStore`, or undefined for anything else. */
export function internalsOf(store: object): StoreInternals | undefined {
  return (store as { [STORE_INTERNALS]?: StoreInternals })[STORE_INTERNALS];
}
