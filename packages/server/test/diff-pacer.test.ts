import { describe, expect, it } from "vitest";
import { DiffPacer } from "../src/diff-pacer";

/** A runtime whose clock, timers and microtasks the test moves by hand. */
function fakeRuntime() {
  let now = 1_000;
  let nextId = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  const microtasks: (() => void)[] = [];
  return {
    runtime: {
      clock: { now: () => now },
      setTimer: (run: () => void, ms: number) => {
        nextId += 1;
        timers.set(nextId, { at: now + ms, run });
        return nextId;
      },
      clearTimer: (timer: unknown) => void timers.delete(timer as number),
      queueMicrotask: (run: () => void) => void microtasks.push(run),
    },
    /** Runs the queued microtasks, as the end of the current event does. */
    drain() {
      for (let run = microtasks.shift(); run; run = microtasks.shift()) run();
    },
    /** Moves the clock on, firing the timers that come due in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = end;
    },
    pendingTimers: () => timers.size,
    now: () => now,
  };
}

describe("DiffPacer", () => {
  it("sends the first change after a quiet interval in the next microtask, once for all changes of that event", () => {
    const fake = fakeRuntime();
    const flushes: number[] = [];
    const pacer = new DiffPacer(50, (at) => flushes.push(at), fake.runtime);
    pacer.changed();
    pacer.changed();
    pacer.changed();
    expect(flushes).toEqual([]);
    fake.drain();
    expect(flushes).toEqual([1_000]);
    expect(fake.pendingTimers()).toBe(0);
  });

  it("holds a burst to one diff per interval, sent at the interval's end", () => {
    const fake = fakeRuntime();
    const flushes: number[] = [];
    const pacer = new DiffPacer(50, (at) => flushes.push(at), fake.runtime);
    pacer.changed();
    fake.drain();
    fake.advance(10);
    pacer.changed();
    fake.advance(20);
    pacer.changed();
    fake.drain();
    expect(flushes).toEqual([1_000]);
    fake.advance(20);
    expect(flushes).toEqual([1_000, 1_050]);
    // quiet for a whole interval: the next change goes out at once again
    fake.advance(60);
    pacer.changed();
    fake.drain();
    expect(flushes).toEqual([1_000, 1_050, 1_110]);
  });

  it("flushes early on demand and cancels the waiting timer, so nothing is sent twice", () => {
    const fake = fakeRuntime();
    const flushes: number[] = [];
    const pacer = new DiffPacer(50, (at) => flushes.push(at), fake.runtime);
    pacer.changed();
    fake.drain();
    fake.advance(5);
    pacer.changed();
    expect(fake.pendingTimers()).toBe(1);
    pacer.flushNow();
    expect(flushes).toEqual([1_000, 1_005]);
    expect(fake.pendingTimers()).toBe(0);
    fake.advance(100);
    expect(flushes).toEqual([1_000, 1_005]);
  });
});
