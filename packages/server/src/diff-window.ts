import type { Clock } from "@herenow/core/engine";

/** What a {@link DiffWindow} needs of the runtime: a clock, timers and microtasks. */
export interface DiffWindowRuntime {
  clock: Clock;
  setTimer: (run: () => void, ms: number) => unknown;
  clearTimer: (timer: unknown) => void;
  queueMicrotask: (run: () => void) => void;
}

/**
 * When a room sends its coalesced diff: the first change after a quiet
 * window goes out at once (the next microtask, so changes made by the same
 * event still share the diff; a timer turn costs a millisecond or more),
 * later changes wait for the window's end, and whoever needs the diff now
 * (a sync, a leave, an alarm) flushes it early. The room's `flush` does the
 * sending; this only decides when, so it is tested with a fake clock.
 *
 * @example
 * const window = new DiffWindow(LIMITS.diffIntervalMs, () => room.sendDiff(), runtime);
 * window.changed(); // a join: the diff goes out in the next microtask
 */
export class DiffWindow {
  private timer: unknown = null;
  private queued = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly flush: (at: number) => void,
    private readonly runtime: DiffWindowRuntime,
  ) {}

  /** Something changed: send it now if the window is quiet, else at the window's end. */
  changed(): void {
    if (this.timer !== null || this.queued) return;
    const wait = this.lastFlushAt + this.windowMs - this.runtime.clock.now();
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
