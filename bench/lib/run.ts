import { type ChildProcess, fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { type PartyRuntime, PartyServer, SECRET } from "@herenow/testing";
import type { Command, Kind, Report } from "./client-worker";
import { cpuSeconds, cpuSecondsOf, machineBusySeconds, type PartyProcesses, partyProcesses } from "./process-stats";

export type { Kind, PartyServer };
export { SECRET };

const here = import.meta.dirname;

/**
 * The servers a benchmark compares: herenow's party, and the baseline worker
 * (`bench/baseline-party`) sending with the runtime's socket list, or with
 * PartyServer's `broadcast()` ("baseline-broadcast").
 */
export type Party = "baseline" | "baseline-broadcast" | "herenow";

/**
 * Where a party runs: "miniflare", the bundle `wrangler deploy` would upload under
 * Miniflare's API (one workerd, closest to production), or "wrangler", `wrangler dev`
 * as `npm run dev` runs it (a second workerd in front relays every frame).
 */
export type Runtime = PartyRuntime;

/** What a party's clients speak: herenow's protocol, or the baseline's lines. */
export function protocolOf(party: Party): Kind {
  return party === "herenow" ? "herenow" : "baseline";
}

/** Starts the party under test or a baseline on a free port, in the given runtime. */
export function startParty(party: Party, runtime: Runtime, vars: Record<string, string> = {}): Promise<PartyServer> {
  if (party === "herenow") return PartyServer.start({ HERENOW_MAX_AGE_MS: "600000", ...vars }, undefined, runtime);
  const send = party === "baseline-broadcast" ? "broadcast" : "loop";
  return PartyServer.start({ BASELINE_SEND: send, ...vars }, join(here, "..", "baseline-party"), runtime);
}

/** CPU seconds used by each part of a run, from the moment `cpuMeter` was called. */
export interface CpuUse {
  /** The workerd that runs the worker. */
  workerd: number;
  /** wrangler dev's relay workerd (0 under Miniflare). */
  relay: number;
  /** The runtime's Node processes (Miniflare's runner, wrangler's CLI). */
  node: number;
  /** The client processes. */
  clients: number;
  /**
   * Everything else on the machine: the benchmark script and other people's work (the
   * machine is shared). Busy CPU seconds of all cores less the parts above.
   */
  others: number;
}

/** Starts measuring the CPU of a party's processes and of the client processes; call the result to read it. */
export function cpuMeter(server: PartyServer, workers: Workers): () => CpuUse {
  const processes: PartyProcesses = partyProcesses(server.pid ?? 0, server.port);
  const read = (): CpuUse => ({
    workerd: cpuSeconds(processes.workerd),
    relay: processes.relay === null ? 0 : cpuSeconds(processes.relay),
    node: cpuSecondsOf(processes.node),
    clients: cpuSecondsOf(workers.pids),
    others: machineBusySeconds(),
  });
  const start = read();
  return () => {
    const now = read();
    return {
      workerd: now.workerd - start.workerd,
      relay: now.relay - start.relay,
      node: now.node - start.node,
      clients: now.clients - start.clients,
      others:
        now.others -
        start.others -
        (now.workerd - start.workerd) -
        (now.relay - start.relay) -
        (now.node - start.node) -
        (now.clients - start.clients),
    };
  };
}

type Open = Extract<Command, { cmd: "open" }>;
/** How Workers.openUsers opens users: what has a default may be left out. */
type OpenUsers = Omit<Open, "cmd" | "from" | "to" | "kind" | "batch" | "secret" | "expect"> &
  Partial<Pick<Open, "kind" | "batch" | "secret" | "expect">>;

/** A separate process of benchmark clients. */
export class Workers {
  private readonly children: ChildProcess[] = [];
  private readonly reports: { child: number; report: Report }[] = [];
  private waiters: (() => void)[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const child = fork(join(here, "client-worker.ts"), [], {
        // @herenow/* resolve to their src/ (the "herenow:source" export condition): no build needed
        execArgv: ["--conditions", "herenow:source", "--import", "tsx", "--max-old-space-size=8192"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      child.on("message", (report: Report) => {
        if (report.type === "error") console.error(`worker ${i}: ${report.message}`);
        this.reports.push({ child: i, report });
        for (const wake of this.waiters.splice(0)) wake();
      });
      this.children.push(child);
    }
  }

  get size(): number {
    return this.children.length;
  }

  /** The client processes' ids, for CPU figures. */
  get pids(): number[] {
    return this.children.map((child) => child.pid ?? 0).filter(Boolean);
  }

  send(worker: number, command: Command): void {
    this.children[worker]?.send(command);
  }

  /**
   * Opens users 0 … count-1, spread evenly over the given workers (all by default). Unless
   * `options` say otherwise they speak herenow's protocol, sign in with the test secret, open
   * 25 at a time and are complete once each sees all `count`.
   */
  openUsers(count: number, options: OpenUsers, workers: number[] = this.children.map((_, i) => i)): void {
    const open = { kind: "herenow" as const, batch: 25, secret: SECRET, expect: count, ...options };
    const per = Math.ceil(count / workers.length);
    workers.forEach((worker, i) => {
      this.send(worker, { cmd: "open", ...open, from: i * per, to: Math.min(count, (i + 1) * per) });
    });
  }

  /** Resolves once every client process has started (so its start-up is in no measurement). */
  async ready(): Promise<void> {
    this.broadcast({ cmd: "ready" });
    await this.collect(isReport("ready"), undefined, 60_000);
  }

  broadcast(command: Command): void {
    for (let i = 0; i < this.children.length; i++) this.send(i, command);
  }

  /** Waits until every worker (or the given ones) reported a message matching `match`. */
  async collect<T extends Report>(
    match: (report: Report) => report is T,
    workers: number[] = this.children.map((_, i) => i),
    timeoutMs = 120_000,
  ): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = workers.map((w) => this.reports.find((r) => r.child === w && match(r.report)));
      if (found.every(Boolean)) {
        for (const entry of found) this.reports.splice(this.reports.indexOf(entry as never), 1);
        return found.map((entry) => entry?.report as T);
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for workers`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.broadcast({ cmd: "close" });
  }
}

export const isReport =
  <K extends Report["type"]>(type: K) =>
  (report: Report): report is Extract<Report, { type: K }> =>
    report.type === type;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** The machine line every result table starts with. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  return `${cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${load} at start`;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
