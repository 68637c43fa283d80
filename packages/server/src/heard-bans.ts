/**
 * The bans a shard heard of from its coordinator's kicks, in memory. A
 * shard asks its coordinator about a ban when a socket connects, but a
 * socket whose question was answered just before the ban was written is
 * still on its way in when the kick reaches the shard: the kick leaves the
 * ban here first, and the shard refuses that socket once it is accepted.
 * Nothing needs to outlive the process: a socket that connects later asks
 * the coordinator, which has the ban by then.
 *
 * @example
 * bans.hear("u1", Date.now() + 60_000);
 * bans.until("u1", Date.now()); // when the ban ends
 */
export class HeardBans {
  private readonly ends = new Map<string, number>();

  hear(userId: string, until: number): void {
    this.ends.set(userId, Math.max(until, this.ends.get(userId) ?? 0));
  }

  /** When the user's ban ends, by what this shard heard, or `null` if not banned now. */
  until(userId: string, now: number): number | null {
    const until = this.ends.get(userId);
    if (until === undefined) return null;
    if (until > now) return until;
    this.ends.delete(userId);
    return null;
  }
}
