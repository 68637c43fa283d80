// `npm test`: every package's tests, one package at a time (they start real servers and
// browsers; two cores take no more), carrying on past a failing package so every package
// runs, then a check that nothing the run started is still running, and one closing line
// summed over every vitest summary: `tests: N passed, N failed, N skipped`, with the failed
// packages named on the line before it. Failed counts failed tests, failed suites (a
// beforeAll that threw or timed out), errors outside tests, a package that printed no
// summary and processes left running (packages/testing/src/test-summary.ts), so the count
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
const child = spawn("npx", ["turbo", "run", "test", "--concurrency=1", "--continue", ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: ["ignore", "pipe", "pipe"],
  env: { WRANGLER_SEND_METRICS: "false", ...process.env, [RUN_MARKER]: marker },
});
const closed = new Promise((resolve) => child.once("close", resolve));
const summary = new TestSummary();
let pending = "";
function scan(chunk) {
  pending += chunk.toString();
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) summary.add(line);
}
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  scan(chunk);
});
child.stderr.on("data", (chunk) => {
  process.stderr.write(chunk);
  scan(chunk);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", async (code) => {
  // turbo's last lines ("Failed: …") may still be on their way; a process left holding the
  // pipe must not keep the run from ending, though
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  summary.add(pending);
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
});
