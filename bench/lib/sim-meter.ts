import type { SocketTraffic, WindowSockets } from "./window-sockets";

/** One object's CPU in each second of room time, and the messages it exchanged with other objects. */
export class Meter {
  perSecond: number[] = [];
  messagesIn = 0;
  bytesIn = 0;
  messagesOut = 0;
  bytesOut = 0;
  private cpuUs = 0;

  constructor(readonly sockets: WindowSockets | null) {}

  run<T>(work: () => T): T {
    let result: T | undefined;
    this.cpuUs += cpuUs(() => {
      result = work();
    });
    return result as T;
  }

  endSecond(): void {
    this.perSecond.push(this.cpuUs);
    this.cpuUs = 0;
  }

  /** What the phase that ends here measured; counting starts afresh. */
  take(): Phase {
    if (this.cpuUs > 0) this.endSecond();
    const phase: Phase = {
      cpuUs: this.perSecond,
      messagesIn: this.messagesIn,
      bytesIn: this.bytesIn,
      messagesOut: this.messagesOut,
      bytesOut: this.bytesOut,
      sockets: this.sockets?.size ?? 0,
      traffic: this.sockets?.resetTraffic() ?? null,
    };
    this.perSecond = [];
    this.messagesIn = this.bytesIn = this.messagesOut = this.bytesOut = 0;
    return phase;
  }
}

/** What one object did in one phase of a run. */
export interface Phase {
  cpuUs: number[];
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  sockets: number;
  traffic: SocketTraffic | null;
}

/** The CPU time, in µs, this process spent on `work`. */
function cpuUs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}
