// One join storm, as the storm benchmarks measure it: fresh client processes open N users into
// one room of a running party, in batches; how long until every view is complete, and what
// the clients received and the processes spent meanwhile.
import type { Report } from "./client-worker";
import { type CpuUse, cpuMeter, isReport, type Party, type PartyServer, protocolOf, sleep, Workers } from "./run";

/** What one storm took. */
export interface Storm {
  /** From the first client's connect until every view was complete (ms). */
  fromFirst: number;
  /** From the last client's connect until every view was complete (ms). */
  fromLast: number;
  /** Bytes and messages the clients received, the settling time included. */
  bytes: number;
  messages: number;
  /** CPU seconds of each process from the first connect until every view was complete. */
  cpu: CpuUse;
  /** Each client process's own figures. */
  stats: Extract<Report, { type: "stats" }>[];
}

/**
 * Opens users 0 … n-1 of `party`'s protocol into `room` from `workers` client processes,
 * `batch` at a time in all, waits up to `timeoutMs` for every view to be complete, lets late
 * messages arrive for `settleMs`, and counts. The client processes are closed at the end.
 *
 * @example
 * const { fromFirst, bytes } = await storm(server, "herenow", { n: 1000, room: "r", workers: 2, batch: 50, timeoutMs: 600_000, settleMs: 500 });
 */
export async function storm(
  server: PartyServer,
  party: Party,
  options: {
    n: number;
    room: string;
    workers: number;
    batch: number;
    timeoutMs: number;
    settleMs: number;
    /** Each client asks for a window of this many users (protocol 1.1). */
    window?: number;
  },
): Promise<Storm> {
  const { n, room, timeoutMs } = options;
  const workers = new Workers(options.workers);
  try {
    await workers.ready();
    const cpu = cpuMeter(server, workers);
    workers.openUsers(n, {
      kind: protocolOf(party),
      host: server.host,
      room,
      batch: Math.max(1, Math.floor(options.batch / options.workers)),
      ...(options.window === undefined ? {} : { window: options.window }),
    });
    const opened = await workers.collect(isReport("opened"), undefined, timeoutMs);
    const complete = await workers.collect(isReport("complete"), undefined, timeoutMs);
    const used = cpu();
    await sleep(options.settleMs);
    workers.broadcast({ cmd: "stats" });
    const stats = await workers.collect(isReport("stats"));
    const firstAt = Math.min(...opened.map((o) => o.firstAt));
    const lastAt = Math.max(...opened.map((o) => o.lastAt));
    const doneAt = Math.max(...complete.map((c) => c.at));
    return {
      fromFirst: doneAt - firstAt,
      fromLast: doneAt - lastAt,
      bytes: stats.reduce((sum, s) => sum + s.bytes, 0),
      messages: stats.reduce((sum, s) => sum + s.messages, 0),
      cpu: used,
      stats,
    };
  } finally {
    workers.close();
  }
}
