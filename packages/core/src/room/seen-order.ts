import { first } from "./join-order";

/** The two max ages a live connection can have: a hidden page's heartbeats come late (protocol 1.2). */
export type SeenLane = "visible" | "hidden";

interface Seen {
  id: string;
  lastSeen: number;
}

/**
 * Live connections in last-seen order, one queue per max age, so the first
 * entry of each is the next to go stale: touching, adding and removing are
 * O(1) (a touch moves one entry to the end), and finding who is overdue costs
 * O(overdue), never O(room size).
 *
 * @example
 * const order = new SeenOrder<Record>({ visible: 60_000, hidden: 180_000 });
 * order.add(record, "visible");
 * order.overdue(now); // the records silent for longer than their lane's max age
 */
export class SeenOrder<R extends Seen> {
  private readonly lanes: Record<SeenLane, Map<string, R>> = { visible: new Map(), hidden: new Map() };
  /** The latest last-seen time put at the end of each lane: a record seen no earlier may simply be appended. */
  private readonly newest: Record<SeenLane, number> = {
    visible: Number.NEGATIVE_INFINITY,
    hidden: Number.NEGATIVE_INFINITY,
  };

  constructor(readonly maxAgeMs: Readonly<Record<SeenLane, number>>) {}

  /** Puts a record at its place in a lane: the end, unless something there was seen later. */
  add(record: R, lane: SeenLane): void {
    const queue = this.lanes[lane];
    queue.delete(record.id);
    queue.set(record.id, record);
    if (record.lastSeen >= this.newest[lane]) this.newest[lane] = record.lastSeen;
    // rare: a held status change moved a connection seen before the lane's newest
    else this.sortLane(lane);
  }

  delete(id: string): void {
    this.lanes.visible.delete(id) || this.lanes.hidden.delete(id);
  }

  /** The record was just seen (its `lastSeen` is the newest): to the end of its lane. */
  touch(record: R): void {
    for (const lane of LANES) {
      const queue = this.lanes[lane];
      if (!queue.delete(record.id)) continue;
      queue.set(record.id, record);
      this.newest[lane] = Math.max(this.newest[lane], record.lastSeen);
      return;
    }
  }

  /** Moves a record to another lane (its status changed). */
  move(record: R, lane: SeenLane): void {
    this.delete(record.id);
    this.add(record, lane);
  }

  /** The records silent for longer than their lane's max age at `now`, oldest first in each lane. */
  overdue(now: number): R[] {
    const due: R[] = [];
    for (const lane of LANES) {
      for (const record of this.lanes[lane].values()) {
        if (now - record.lastSeen <= this.maxAgeMs[lane]) break;
        due.push(record);
      }
    }
    return due;
  }

  /** The first moment a record goes stale, `null` when there are none. */
  nextDue(): number | null {
    let due: number | null = null;
    for (const lane of LANES) {
      const oldest = first(this.lanes[lane]);
      if (!oldest) continue;
      const at = oldest.lastSeen + this.maxAgeMs[lane] + 1;
      due = due === null ? at : Math.min(due, at);
    }
    return due;
  }

  /** Puts every lane back in last-seen order after times moved in place. */
  resort(): void {
    for (const lane of LANES) this.sortLane(lane);
  }

  private sortLane(lane: SeenLane): void {
    const queue = this.lanes[lane];
    const ordered = [...queue.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    queue.clear();
    for (const record of ordered) queue.set(record.id, record);
    this.newest[lane] = ordered.at(-1)?.lastSeen ?? Number.NEGATIVE_INFINITY;
  }
}

const LANES: readonly SeenLane[] = ["visible", "hidden"];
