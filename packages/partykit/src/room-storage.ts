import type { JsonObject, LingeringConnection, RestoredConnection, UserStateEntry } from "@herenow/core";
import type * as Party from "partykit/server";
import { dataOf } from "./connection-data";

const LINGER_PREFIX = "linger:";
const STATE_PREFIX = "state:";

/** What a room finds when it starts or wakes. */
export interface StoredRoom {
  name: string;
  seq: number;
  live: RestoredConnection[];
  lingering: LingeringConnection[];
  alarmAt: number | null;
}

/**
 * The room-storage half of a presence room's memory (the other half is in
 * each socket's attachment): the room's name (unreadable inside `onAlarm`),
 * its change counter, connections lingering in their grace, and users'
 * custom state, kept out of attachments since those are small.
 */
export class RoomStorage {
  constructor(private readonly room: Party.Room) {}

  async load(): Promise<StoredRoom> {
    const storage = this.room.storage;
    let name: string;
    try {
      name = this.room.id;
      void storage.put("room", name);
    } catch {
      // inside onAlarm the id throws: it was stored on an earlier start
      name = (await storage.get<string>("room")) ?? "";
    }
    const [seq, lingerEntries, stateEntries, alarmAt] = await Promise.all([
      storage.get<number>("seq"),
      storage.list<LingeringConnection>({ prefix: LINGER_PREFIX }),
      storage.list<{ state: JsonObject; stateAt: number }>({ prefix: STATE_PREFIX }),
      storage.getAlarm(),
    ]);
    const states = new Map([...stateEntries].map(([key, value]) => [key.slice(STATE_PREFIX.length), value]));
    const live: RestoredConnection[] = [];
    for (const socket of this.room.getConnections()) {
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
    return { name, seq: seq ?? 0, live, lingering, alarmAt };
  }

  saveSeq(seq: number): void {
    void this.room.storage.put("seq", seq);
  }

  saveLingering(connection: LingeringConnection): void {
    void this.room.storage.put(LINGER_PREFIX + connection.id, connection);
  }

  async forgetLingering(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.room.storage.delete(ids.map((id) => LINGER_PREFIX + id));
  }

  async lingering(): Promise<LingeringConnection[]> {
    return [...(await this.room.storage.list<LingeringConnection>({ prefix: LINGER_PREFIX })).values()];
  }

  saveStates(changes: Map<string, UserStateEntry | null>): void {
    for (const [userId, entry] of changes) {
      if (entry) void this.room.storage.put(STATE_PREFIX + userId, entry);
      else void this.room.storage.delete(STATE_PREFIX + userId);
    }
  }
}
