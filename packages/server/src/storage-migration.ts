import { KEYS, MAX_KEYS_PER_CALL, PREFIXES, STORAGE_PREFIX, STORAGE_VERSION } from "./storage-keys";

/** Where a room of herenow 0.1 kept each of today's keys: the same names without the prefix. */
const UNPREFIXED_KEYS = Object.values(KEYS)
  .filter((key) => key !== KEYS.version)
  .map((key) => key.slice(STORAGE_PREFIX.length));
const UNPREFIXED_PREFIXES = Object.values(PREFIXES).map((prefix) => prefix.slice(STORAGE_PREFIX.length));

/**
 * Brings a room's storage to today's keys, once: a room deployed with
 * herenow 0.1 kept its keys unprefixed ("seq", "ban:<user>", "wh:meta"...),
 * and keeps everything it had (bans, lingering connections, the webhook's
 * queue) when it first loads after the upgrade. One transaction: a crash
 * halfway leaves the old keys, and the next load moves them again. Then the
 * version is written, so a later key of the application's own that looks like
 * an old one ("seq", "ban:x") is never taken for herenow's.
 */
export async function migrateStorage(storage: DurableObjectStorage): Promise<void> {
  if ((await storage.get<number>(KEYS.version)) === STORAGE_VERSION) return;
  await storage.transaction(async (txn) => {
    const moved = new Map<string, unknown>(await txn.get(UNPREFIXED_KEYS));
    for (const prefix of UNPREFIXED_PREFIXES) {
      for (const [key, value] of await txn.list({ prefix })) moved.set(key, value);
    }
    const entries = [...moved];
    for (let i = 0; i < entries.length; i += MAX_KEYS_PER_CALL) {
      const batch = entries.slice(i, i + MAX_KEYS_PER_CALL);
      await txn.put(Object.fromEntries(batch.map(([key, value]) => [STORAGE_PREFIX + key, value])));
      await txn.delete(batch.map(([key]) => key));
    }
    await txn.put(KEYS.version, STORAGE_VERSION);
  });
}
