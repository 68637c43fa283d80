// `npm test`: every package's tests, one package at a time (they start real servers and
// browsers; two cores take no more), carrying on past a failing package so every package
// runs, then one closing line summed over every vitest summary:
// `tests: N passed, N failed, N skipped`. Exits non-zero if any package failed.
import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";
import { repoRoot } from "./dev-secret.mjs";

// the Node every package's tests run on: the project's own (package.json pins it, npm puts it first on PATH)
console.log(`tests: node ${process.version}`);
const child = spawn("npx", ["turbo", "run", "test", "--concurrency=1", "--continue", ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: ["ignore", "pipe", "pipe"],
  env: { WRANGLER_SEND_METRICS: "false", ...process.env },
});
const totals = { passed: 0, failed: 0, skipped: 0 };
let pending = "";
function scan(chunk) {
  pending += chunk.toString();
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) count(line);
}
function count(line) {
  // vitest's summary line: "Tests  3 failed | 68 passed | 1 skipped (72)"
  const plain = stripVTControlCharacters(line);
  if (!/\bTests\s{2,}\d/.test(plain)) return;
  for (const [, n, kind] of plain.matchAll(/(\d+) (passed|failed|skipped)/g)) totals[kind] += Number(n);
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
child.on("exit", (code) => {
  count(pending);
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(code ?? 1);
});
