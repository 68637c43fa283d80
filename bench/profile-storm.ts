// Where workerd's time goes in a join storm: the built bundle under Miniflare (one
// workerd, as in production) with the V8 inspector on, N clients joining one room as
// join-storm.ts does, a CPU profile of the worker's isolate (the room runs there) and of
// Miniflare's entry worker in front of it. Prints workerd's CPU from /proc next to the
// JavaScript the profile saw, and self time by source module and by function.
// Run: npm run profile -w @herenow/bench -- --party herenow --n 1000
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWranglerConfig } from "@herenow/testing";
import { miniflareOptions } from "@herenow/testing/miniflare-options";
import { Miniflare } from "miniflare";
import { type CpuProfile, InspectorSession, summarise } from "./lib/cpu-profile";
import { flag, readFlags } from "./lib/options";
import { cpuSeconds, cpuSecondsOf } from "./lib/process-stats";
import { isReport, machine, protocolOf, SECRET, table, Workers } from "./lib/run";

const flags = readFlags({
  party: flag.party("herenow"),
  n: flag.number(1000),
  batch: flag.number(50),
  /** V8's sampling interval in µs. */
  interval: flag.number(250),
  top: flag.number(25),
});
const { party, n, batch, top } = flags;

const projectDir =
  party === "herenow" ? join(import.meta.dirname, "..", "party") : join(import.meta.dirname, "baseline-party");
const outDir = mkdtempSync(join(tmpdir(), "herenow-profile-"));
execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outDir], {
  cwd: projectDir,
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  stdio: ["ignore", "ignore", "inherit"],
});
const bundle = join(outDir, "server.js");
const mf = new Miniflare(
  miniflareOptions({
    modulesRoot: outDir,
    mainModule: "server.js",
    compatibilityDate: readWranglerConfig(projectDir).compatibility_date,
    port: 0,
    inspectorPort: 0,
    durableObjects: [{ name: "Main", className: "Main" }],
    vars: {
      HERENOW_SECRET: SECRET,
      HERENOW_MAX_AGE_MS: "600000",
      BASELINE_SEND: party === "baseline-broadcast" ? "broadcast" : "loop",
    },
  }),
);
const workers = new Workers(2);
try {
  const url = await mf.ready;
  const inspector = String(await mf.getInspectorURL());
  const user = await InspectorSession.open(`${inspector.replace(/\/$/, "")}/core:user:`);
  const entry = await InspectorSession.open(`${inspector.replace(/\/$/, "")}/core:entry`);
  for (const session of [user, entry]) {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: flags.interval });
  }
  await workers.ready();
  const runtime = findChildWorkerd();
  const cpuAt = [cpuSeconds(runtime), cpuSecondsOf(workers.pids)];
  for (const session of [user, entry]) await session.send("Profiler.start");
  const started = Date.now();
  workers.openUsers(n, {
    kind: protocolOf(party),
    host: url.host,
    room: "profile",
    batch: Math.max(1, Math.floor(batch / 2)),
    secret: SECRET,
    expect: n,
  });
  await workers.collect(isReport("opened"), undefined, 600_000);
  await workers.collect(isReport("complete"), undefined, 600_000);
  const wallMs = Date.now() - started;
  const workerdCpu = cpuSeconds(runtime) - (cpuAt[0] ?? 0);
  const clientsCpu = cpuSecondsOf(workers.pids) - (cpuAt[1] ?? 0);
  const { profile } = await user.send<{ profile: CpuProfile }>("Profiler.stop");
  const { profile: entryProfile } = await entry.send<{ profile: CpuProfile }>("Profiler.stop");
  user.close();
  entry.close();

  const s = summarise(profile, bundle);
  const e = summarise(entryProfile, bundle);
  const busy = (x: typeof s) => x.totalMs - x.idleMs;
  console.log(`CPU profile of a join storm, ${party}, N=${n}, Miniflare (one workerd), on ${machine()}`);
  console.log(
    `\nstorm took ${(wallMs / 1000).toFixed(2)} s; workerd used ${workerdCpu.toFixed(2)} CPU-s, the clients ${clientsCpu.toFixed(2)} CPU-s`,
  );
  console.log(
    `the worker's isolate was busy ${(busy(s) / 1000).toFixed(2)} s (JavaScript ${((busy(s) - s.programMs - s.gcMs) / 1000).toFixed(2)} s, GC ${(s.gcMs / 1000).toFixed(2)} s, "(program)" ${(s.programMs / 1000).toFixed(2)} s); Miniflare's entry worker ${(busy(e) / 1000).toFixed(2)} s; the rest of workerd's CPU is outside JavaScript (sockets, frames, storage)`,
  );
  const ms = (x: number) => x.toFixed(0);
  console.log(
    `\n${table(
      ["source module (self time)", "ms", "% of busy"],
      s.byModule.slice(0, top).map(([name, t]) => [name, ms(t), ((100 * t) / busy(s)).toFixed(1)]),
    )}`,
  );
  console.log(
    `\n${table(
      ["function (self time)", "ms", "% of busy"],
      s.byFunction
        .filter(([name]) => !name.startsWith("(idle)"))
        .slice(0, top)
        .map(([name, t]) => [name, ms(t), ((100 * t) / busy(s)).toFixed(1)]),
    )}`,
  );
  console.log(
    `\n${table(
      ["Miniflare's entry worker: function (self time)", "ms", "% of busy"],
      e.byFunction
        .filter(([name]) => !name.startsWith("(idle)"))
        .slice(0, 8)
        .map(([name, t]) => [name, ms(t), ((100 * t) / busy(e)).toFixed(1)]),
    )}`,
  );
} finally {
  workers.close();
  await mf.dispose();
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(0);

/** Miniflare's workerd is a child of this process. */
function findChildWorkerd(): number {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
  const line = out.split("\n").find((l) => l.trim().endsWith("workerd"));
  if (!line) throw new Error("cannot find Miniflare's workerd");
  return Number(line.trim().split(/\s+/)[0]);
}
