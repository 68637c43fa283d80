/** The period a rate limit counts over, in ms: limits are so many changes a second. */
const SECOND_MS = 1000;

/**
 * One connection's rate limit for one kind of change (state, status): at
 * most `perSecond` changes a second are applied at once; past that the
 * newest is held, replacing any held before it, and applied when the second
 * ends, so the room converges on the newest value however fast it comes.
 *
 * @example
 * const states = new RateLimit<JsonObject>(20);
 * if (states.offer(state, now)) apply(state); // else answer rate_limited
 * const held = states.takeDue(later); // the newest held value, once its second ended
 */
export class RateLimit<T> {
  private start = Number.NEGATIVE_INFINITY;
  private count = 0;
  private held: { value: T } | null = null;

  constructor(private readonly perSecond: number) {}

  /** `true`: apply the value now; `false`: it is held until the second ends (answer `rate_limited`). */
  offer(value: T, now: number): boolean {
    if (now - this.start >= SECOND_MS) {
      this.start = now;
      this.count = 0;
    }
    this.count++;
    if (this.count > this.perSecond) {
      this.held = { value };
      return false;
    }
    this.held = null;
    return true;
  }

  /** When the held value is due, or `null` when nothing is held. */
  get dueAt(): number | null {
    return this.held ? this.start + SECOND_MS : null;
  }

  /** The held value once its second ended (it counts as the first change of a new second), else `null`. */
  takeDue(now: number): { value: T } | null {
    const held = this.held;
    if (!held || this.start + SECOND_MS > now) return null;
    this.held = null;
    this.start = now;
    this.count = 1;
    return held;
  }

  /** Forgets a held value (the connection closed). */
  drop(): void {
    this.held = null;
  }
}
