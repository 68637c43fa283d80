import type { Clock } from "@herenow/core/engine";

/** What a {@link DiffPacer} needs of the runtime: a clock, timers and microtasks. */
export interface DiffPacerRuntime {
  clock: Clock;
  setTimer: (run: () => void, ms: number) => unknown;
  clearTimer: (timer: unknown) => void;
  queueMicrotask: (run: () => void) => void;
}

/**
 * When a room sends its coalesced diff: the first change after a quiet
 * interval goes out at once (the next microtask, so changes made by the same
 * event still share the diff; a timer turn costs a millisecond or more),
 * later changes wait for the interval's end, and whoever needs the diff now
 * (a sync, a leave, an alarm) flushes it early. The room's `flush` does the
 * sending; this only decides when, so it is tested with a fake clock.
 *
 * @example
 * const pacer = new DiffPacer(LIMITS.diffIntervalMs, () => room.sendDiff(), runtime);
 * pacer.changed(); // a join: the diff goes out in the next microtask
 */
export class DiffPacer {
  private timer: unknown = null;
  private queued = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (at: number) => void,
    private readonly runtime: DiffPacerRuntime,
  ) {}

  /** Something changed: send it now if the interval is quiet, else at the interval's end. */
  changed(): void {
    if (this.timer !== null || this.queued) return;
    const wait = this.lastFlushAt + this.intervalMs - this.runtime.clock.now();
    if (wait <= 0) {
      this.queued = true;
      this.runtime.queueMicrotask(() => {
        this.queued = false;
        this.flushNow();
      });
      return;
    }
    this.timer = this.runtime.setTimer(() => {
      this.timer = null;
      this.flushNow();
    }, wait);
  }

  /** Sends what is pending now (a queued microtask then finds nothing to send). */
  flushNow(): void {
    if (this.timer !== null) {
      this.runtime.clearTimer(this.timer);
      this.timer = null;
    }
    this.lastFlushAt = this.runtime.clock.now();
    this.flush(this.lastFlushAt);
  }
}
