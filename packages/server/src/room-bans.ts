import { PREFIXES } from "./storage-keys";

const BAN_PREFIX = PREFIXES.ban;

/** One user banned from a room, until a moment in ms since the epoch. */
export interface Ban {
  userId: string;
  until: number;
}

/**
 * The room's bans, kept in its storage so they outlive restarts and
 * hibernation. Expired bans are dropped when they are next read.
 */
export class RoomBans {
  constructor(private readonly storage: DurableObjectStorage) {}

  /** When the user's ban ends, or `null` if the user is not banned now. */
  async until(userId: string, now: number): Promise<number | null> {
    const until = await this.storage.get<number>(BAN_PREFIX + userId);
    if (until === undefined) return null;
    if (until > now) return until;
    await this.storage.delete(BAN_PREFIX + userId);
    return null;
  }

  async ban(userId: string, until: number): Promise<void> {
    await this.storage.put(BAN_PREFIX + userId, until);
  }

  /** Lifts a ban; `false` when there was none in force. */
  async lift(userId: string, now: number): Promise<boolean> {
    const active = (await this.until(userId, now)) !== null;
    await this.storage.delete(BAN_PREFIX + userId);
    return active;
  }

  async list(now: number): Promise<Ban[]> {
    const entries = await this.storage.list<number>({ prefix: BAN_PREFIX });
    const bans: Ban[] = [];
    const expired: string[] = [];
    for (const [key, until] of entries) {
      if (until > now) bans.push({ userId: key.slice(BAN_PREFIX.length), until });
      else expired.push(key);
    }
    if (expired.length > 0) await this.storage.delete(expired);
    return bans;
  }
}
