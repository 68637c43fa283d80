// `npm test`: every package's tests, one package at a time (they start real servers and
// browsers; two cores take no more) except the web app's and the database's, which run side by
// side first (the web's browser tests mostly wait on timers, the database's on PostgreSQL, so
// together they take little more than the web's alone and keep CI well inside its 30 minutes),
// carrying on past a failing package so every package runs, then a check that nothing the run
// started is still running, and one closing line summed over every vitest summary:
// `tests: N passed, N failed, N skipped`, with the failed packages named on the line before it.
// Failed counts failed tests, failed suites (a beforeAll that threw or timed out), errors
// outside tests, a package that printed no summary and processes left running (packages/testing/src/test-summary.ts), so the count
// says 0 failed exactly when the run exits 0.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { describeLeftover, killLeftovers, RUN_MARKER, settledLeftovers } from "../packages/testing/src/leftovers.ts";
import { closingLine, failedLine, TestSummary } from "../packages/testing/src/test-summary.ts";
import { repoRoot } from "./dev-secret.mjs";

// the Node every package's tests run on: the project's own (package.json pins it, npm puts it first on PATH)
console.log(`tests: node ${process.version}`);
// every process the run starts inherits it (turbo passes HERENOW_* on, turbo.json's globalEnv)
const marker = randomUUID();
/** Turbo runs, one after the other: side by side first, then the rest one at a time; or just what was asked for. */
const BESIDE = ["@herenow/web", "@herenow/db"];
const asked = process.argv.slice(2);
const phases =
  asked.length > 0
    ? [["--concurrency=1", ...asked]]
    : [
        [`--concurrency=${BESIDE.length}`, ...BESIDE.map((name) => `--filter=${name}`)],
        ["--concurrency=1", ...BESIDE.map((name) => `--filter=!${name}`)],
      ];
const summary = new TestSummary();
let current = null;
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => current?.kill(signal));

/** One turbo run; resolves to its exit code once its output is read. */
function runTurbo(args) {
  const child = spawn("npx", ["turbo", "run", "test", "--continue", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { WRANGLER_SEND_METRICS: "false", ...process.env, [RUN_MARKER]: marker },
  });
  current = child;
  const closed = new Promise((resolve) => child.once("close", resolve));
  const pending = { stdout: "", stderr: "" };
  const scan = (stream, chunk) => {
    const lines = (pending[stream] + chunk.toString()).split("\n");
    pending[stream] = lines.pop() ?? "";
    for (const line of lines) summary.add(line);
  };
  for (const stream of ["stdout", "stderr"]) {
    child[stream].on("data", (chunk) => {
      process[stream].write(chunk);
      scan(stream, chunk);
    });
  }
  return new Promise((resolve) => {
    child.on("exit", async (code) => {
      // turbo's last lines ("Failed: …") may still be on their way; a process left holding the
      // pipe must not keep the run from ending, though
      await Promise.race([closed, new Promise((done) => setTimeout(done, 2000))]);
      summary.add(pending.stdout);
      summary.add(pending.stderr);
      resolve(code);
    });
  });
}

let code = 0;
for (const args of phases) {
  const exit = await runTurbo(args);
  if (code === 0) code = exit;
}
summary.finish(code);
const leftovers = await settledLeftovers(marker);
if (leftovers === null) {
  console.log("tests: cannot check for processes left running here (no /proc)");
} else if (leftovers.length) {
  const processes =
    leftovers.length === 1 ? "1 process the run started was" : `${leftovers.length} processes the run started were`;
  console.log(`tests: ${processes} still running; killing:`);
  for (const leftover of leftovers) {
    const owner = summary.packageOf(leftover.taskHash);
    console.log(`tests:   ${describeLeftover(leftover, owner)}`);
    summary.addLeftover(owner);
  }
  killLeftovers(marker, leftovers);
}
const failed = failedLine(summary.failedPackages());
if (failed) console.log(failed);
const totals = summary.totals();
console.log(closingLine(totals));
process.exit(totals.failed > 0 ? code || 1 : 0);
