import { readFileSync } from "node:fs";
import WebSocket from "ws";

/** A V8 CPU profile as the DevTools protocol's `Profiler.stop` returns it. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A DevTools protocol session with one isolate of workerd's inspector (e.g. `ws://…/core:user:`). */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id === undefined) return;
      this.pending.get(message.id)?.(message.error ? Promise.reject(message.error) : message.result);
      this.pending.delete(message.id);
    });
  }

  static open(url: string): Promise<InspectorSession> {
    return new Promise((resolve, reject) => {
      // the profile of a busy isolate is tens of MB in one message
      const ws = new WebSocket(url, { maxPayload: 1 << 30 });
      ws.once("open", () => resolve(new InspectorSession(ws)));
      ws.once("error", reject);
    });
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve as (result: unknown) => void);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Self time per function and per source module (the bundle's `// path` headers), in ms. */
export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** V8's own buckets: "(program)" (native work outside JS), "(garbage collector)". */
  programMs: number;
  gcMs: number;
  byModule: [string, number][];
  byFunction: [string, number][];
}

/**
 * Sums a profile's self time by function and by the source module each function was
 * bundled from: esbuild writes a `// <path>` line before each module of an unminified
 * bundle, so a line number says which package the time belongs to.
 */
export function summarise(profile: CpuProfile, bundlePath: string): ProfileSummary {
  const moduleStarts: { line: number; module: string }[] = [];
  readFileSync(bundlePath, "utf8")
    .split("\n")
    .forEach((text, line) => {
      const match = /^\/\/ ((?:\.\.\/|node_modules\/|src\/)\S+\.(?:ts|js|mjs))$/.exec(text);
      if (match?.[1]) moduleStarts.push({ line, module: match[1].replace(/^(\.\.\/)+/, "") });
    });
  const moduleOf = (line: number) => {
    let found = "(bundle preamble)";
    for (const start of moduleStarts) {
      if (start.line > line) break;
      found = start.module;
    }
    return found;
  };
  const self = new Map<number, number>();
  profile.samples.forEach((node, i) => {
    self.set(node, (self.get(node) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  let programMs = 0;
  let gcMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") idleMs += ms;
    else if (functionName === "(program)") programMs += ms;
    else if (functionName === "(garbage collector)") gcMs += ms;
    const inBundle = url.endsWith("server.js");
    const module = inBundle ? moduleOf(lineNumber) : url ? `(runtime: ${url})` : "(native / builtin)";
    if (!functionName.startsWith("(")) byModule.set(module, (byModule.get(module) ?? 0) + ms);
    const name = `${functionName || "(anonymous)"} ${inBundle ? module : url || "native"}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMs, idleMs, programMs, gcMs, byModule: sorted(byModule), byFunction: sorted(byFunction) };
}
