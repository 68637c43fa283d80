import type { JsonObject, RecentUser } from "@herenow/core";
import type { LingeringConnection, RestoredConnection, UserStateEntry } from "@herenow/core/engine";
import type { Connection } from "partyserver";
import { dataOf } from "./connection-data";
import { KEYS, PREFIXES } from "./storage-keys";

const LINGER_PREFIX = PREFIXES.linger;
const STATE_PREFIX = PREFIXES.state;

/** What a room finds when it starts or wakes. */
export interface StoredRoom {
  seq: number;
  live: RestoredConnection[];
  lingering: LingeringConnection[];
  alarmAt: number | null;
  /** Protocol 1.2: who left recently, newest first. */
  recent: RecentUser[];
}

/**
 * The room-storage half of a presence room's memory (the other half is in
 * each socket's attachment): its change counter, connections lingering in their grace, users'
 * custom state, kept out of attachments since those are small, and who left recently.
 */
export class RoomStorage {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly sockets: () => Iterable<Connection>,
  ) {}

  async load(): Promise<StoredRoom> {
    const storage = this.storage;
    const [seq, lingerEntries, stateEntries, alarmAt, recent] = await Promise.all([
      storage.get<number>(KEYS.seq),
      storage.list<LingeringConnection>({ prefix: LINGER_PREFIX }),
      storage.list<{ state: JsonObject; stateAt: number }>({ prefix: STATE_PREFIX }),
      storage.getAlarm(),
      storage.get<RecentUser[]>(KEYS.recent),
    ]);
    const states = new Map([...stateEntries].map(([key, value]) => [key.slice(STATE_PREFIX.length), value]));
    const live: RestoredConnection[] = [];
    for (const socket of this.sockets()) {
      const data = dataOf(socket);
      if (!data) continue;
      const saved = data.user ? states.get(data.user.id) : undefined;
      live.push({ ...data, ...(saved ?? {}) });
    }
    const lingering = [...lingerEntries.values()];
    // state of users who are no longer here has no business staying
    const present = new Set([...live, ...lingering].flatMap((c) => (c.user ? [c.user.id] : [])));
    const orphans = [...states.keys()].filter((id) => !present.has(id)).map((id) => STATE_PREFIX + id);
    if (orphans.length > 0) await storage.delete(orphans);
    return { seq: seq ?? 0, live, lingering, alarmAt, recent: recent ?? [] };
  }

  /** Keeps the recent list (20 entries at most: one small value). */
  saveRecent(recent: RecentUser[]): void {
    void this.storage.put(KEYS.recent, recent);
  }

  saveSeq(seq: number): void {
    void this.storage.put(KEYS.seq, seq);
  }

  saveLingering(connection: LingeringConnection): void {
    void this.storage.put(LINGER_PREFIX + connection.id, connection);
  }

  async forgetLingering(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.storage.delete(ids.map((id) => LINGER_PREFIX + id));
  }

  async lingering(): Promise<LingeringConnection[]> {
    return [...(await this.storage.list<LingeringConnection>({ prefix: LINGER_PREFIX })).values()];
  }

  saveStates(changes: Map<string, UserStateEntry | null>): void {
    for (const [userId, entry] of changes) {
      if (entry) void this.storage.put(STATE_PREFIX + userId, entry);
      else void this.storage.delete(STATE_PREFIX + userId);
    }
  }
}
