/** Where the presence state machine gets the time; tests pass a fake one. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to, for tests that run in microseconds.
 *
 * @example
 * const clock = new ManualClock(0);
 * clock.advance(5_000);
 */
export class ManualClock implements Clock {
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }
  set(time: number): void {
    this.time = time;
  }
}
