import { type ChildProcess, fork } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { PartyServer } from "@herenow/party/test-harness";
import type { Command, Kind, Report } from "./client-worker";

export { SECRET } from "@herenow/party/test-harness";
export type { Kind };

const here = import.meta.dirname;

/** Starts the party under test or the baseline party on a free port. */
export function startParty(kind: Kind, vars: Record<string, string> = {}): Promise<PartyServer> {
  return kind === "herenow"
    ? PartyServer.start({ HERENOW_MAX_AGE_MS: "600000", ...vars })
    : PartyServer.start(vars, join(here, "..", "baseline-party"));
}

/** A separate process of benchmark clients. */
export class Workers {
  private readonly children: ChildProcess[] = [];
  private readonly reports: { child: number; report: Report }[] = [];
  private waiters: (() => void)[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const child = fork(join(here, "client-worker.ts"), [], {
        execArgv: ["--import", "tsx", "--max-old-space-size=8192"],
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

  send(worker: number, command: Command): void {
    this.children[worker]?.send(command);
  }

  /** Opens users 0 … count-1, spread evenly over the given workers (all by default). */
  openUsers(
    count: number,
    options: Omit<Extract<Command, { cmd: "open" }>, "cmd" | "from" | "to">,
    workers: number[] = this.children.map((_, i) => i),
  ): void {
    const per = Math.ceil(count / workers.length);
    workers.forEach((worker, i) => {
      this.send(worker, { cmd: "open", ...options, from: i * per, to: Math.min(count, (i + 1) * per) });
    });
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
  return `${cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
