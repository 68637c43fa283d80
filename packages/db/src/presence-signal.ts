import type { PresenceChangedEvent } from "./presence-types";

/** Hands one change to a store's listeners (the store's own `emit`). */
export type Emit = (change: PresenceChangedEvent) => void;

// Writers other than the store (the webhook receiver) reach a store's
// listeners through these registries instead of a public `emit` method, so
// application code cannot fake presence changes. Weak maps: a store or a
// database that is dropped takes its entries with it.
const emitterOfStore = new WeakMap<object, Emit>();
const listenersOfDb = new WeakMap<object, Set<Emit>>();

/** Called by `createPresenceStore`: lets {@link emitToStore} reach this store's listeners. */
export function registerStore(store: object, emit: Emit): void {
  emitterOfStore.set(store, emit);
}

/**
 * Called by a store when it gains its first listener (and with `false` when
 * it loses its last one), so that writers holding only the database reach it.
 * Stores without listeners stay out of the set: a store created per request
 * would otherwise pile up in it.
 */
export function listenOnDb(db: object, emit: Emit, listening: boolean): void {
  let set = listenersOfDb.get(db);
  if (listening) {
    if (!set) {
      set = new Set();
      listenersOfDb.set(db, set);
    }
    set.add(emit);
  } else if (set) {
    set.delete(emit);
    if (set.size === 0) listenersOfDb.delete(db);
  }
}

/** Emits through `store` when one is given, else through every listening store created over `db`. */
export function emitToStore(store: object | undefined, db: object, change: PresenceChangedEvent): void {
  if (store) {
    emitterOfStore.get(store)?.(change);
    return;
  }
  for (const emit of [...(listenersOfDb.get(db) ?? [])]) emit(change);
}

/** Whether `store` came from `createPresenceStore` (checked once, when a handler is created). */
export function isRegisteredStore(store: object): boolean {
  return emitterOfStore.has(store);
}
