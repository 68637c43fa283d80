import { DEFAULTS, LIMITS } from "@herenow/core";
import type { SimSocket } from "./window-sockets";

/** A small deterministic random source, so runs compare. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** What the crowd does in one window. */
export interface Step {
  joins: number;
  leaves: number;
  /** A given member who leaves (the first of the room, to change everyone's window). */
  leaving?: number;
}

/** One 50 ms window's work: newcomers' sockets, connections that left, heartbeats. */
export interface Ops {
  joined: SimSocket[];
  left: string[];
  touched: string[];
}

/** The people everyone may follow: the room's hosts, the first members to arrive. */
export const POPULAR = 10;

/**
 * Whom a member's socket follows, the same for every layout: most follow nobody; one in ten
 * follows one of the room's `POPULAR` hosts; one in a hundred follows three friends, anyone in
 * the room (present or not). About 3 % of a large room is followed; the hosts by 10 % each.
 */
function followsOf(member: number, n: number): Set<string> {
  const pick = random(Math.imul(member + 1, 2_654_435_761) >>> 1);
  const draw = pick();
  if (draw < 0.1) return new Set([`u${Math.floor(pick() * POPULAR)}`]);
  if (draw < 0.11) return new Set(Array.from({ length: 3 }, () => `u${Math.floor(pick() * n)}`));
  return new Set();
}

/**
 * Who is in the room, who comes and who goes: the same sequence for every layout (seeded).
 * Random leaves never pick the members of the storm's first window, who make up the first
 * users everyone sees, so churn is the steady cost; a leave from those first users changes
 * every window in the room and is measured on its own (`leaving`). At random it would come
 * `leaves × window ÷ N` times a second.
 */
export class Crowd {
  /** The storm's first window: the head of the room. */
  private readonly first: number[] = [];
  private readonly present: number[] = [];
  private nextMember = 0;
  private heartbeat = 0;
  private readonly pick = random(7);

  /** `n`: the members follows are drawn from; `windowSize`: every socket's window. */
  constructor(
    private readonly n: number,
    private readonly windowSize: number,
  ) {}

  get size(): number {
    return this.first.length + this.present.length;
  }

  /** One window: `joins` newcomers, `leaves` random members (and the member given), the heartbeats due. */
  window({ joins, leaves, leaving }: Step): Ops {
    const left: string[] = [];
    if (leaving !== undefined) {
      const list = this.first.includes(leaving) ? this.first : this.present;
      list.splice(list.indexOf(leaving), 1);
      left.push(`c${leaving}`);
    }
    for (let k = 0; k < leaves && this.present.length > 0; k++) {
      const at = Math.floor(this.pick() * this.present.length);
      left.push(`c${this.present[at]}`);
      this.present[at] = this.present[this.present.length - 1] as number;
      this.present.pop();
    }
    // every member heartbeats once per interval: a slice of the room each window
    const touched: string[] = [];
    const due = Math.round((this.size * LIMITS.diffIntervalMs) / DEFAULTS.heartbeatMs);
    for (let k = 0; k < due; k++) {
      this.heartbeat = (this.heartbeat + 1) % this.size;
      const member =
        this.heartbeat < this.first.length
          ? this.first[this.heartbeat]
          : this.present[this.heartbeat - this.first.length];
      touched.push(`c${member}`);
    }
    const joined: SimSocket[] = [];
    const head = this.nextMember === 0;
    for (let k = 0; k < joins; k++) {
      const member = this.nextMember++;
      (head ? this.first : this.present).push(member);
      joined.push(this.socket(member));
    }
    return { joined, left, touched };
  }

  /** The socket of one member, as it joined: rebuilt the same whenever asked. */
  socket(member: number): SimSocket {
    return {
      connectionId: `c${member}`,
      user: { id: `u${member}`, name: `User ${member}`, info: {} },
      spec: { size: this.windowSize, selfUserId: `u${member}`, follows: followsOf(member, this.n) },
      countsAt: 0,
    };
  }
}
