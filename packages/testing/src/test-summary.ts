// `npm test`'s count, read from turbo's output line by line: each package's vitest summary and
// what turbo says failed. A failed test is not the only failure there is: vitest reports the
// tests of a suite whose beforeAll failed or timed out as skipped, counts an error outside any
// test only on its own "Errors" line, and prints no summary at all when it is killed or finds
// no test file. Counting only the "Tests" lines once ended a run whose outside apps never
// installed with `0 failed` and a non-zero exit; every one of these counts as failed here.
//
// Node strips this file's types when scripts/test-all.mjs imports it: node: imports only.
import { stripVTControlCharacters } from "node:util";

/** The run's totals. `failed` counts failed tests, failed suites (hooks, imports), errors outside tests and failed packages with nothing else counted. */
export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

/** A package whose tests failed, and how. */
export interface FailedPackage {
  name: string;
  /** e.g. `1 failed test, 2 failed suites` or `no vitest summary: killed, crashed or no test files` */
  why: string;
}

interface PackageCount {
  /** Whether its test task printed anything, i.e. ran. */
  ran: boolean;
  /** Whether vitest printed its "Tests" summary line. */
  summarized: boolean;
  passed: number;
  failedTests: number;
  skipped: number;
  /** Suites whose hooks failed or timed out, and files that failed to load ("Failed Suites N"). */
  failedSuites: number;
  /** Errors outside any test ("Errors  N errors"). */
  errors: number;
  /** The exit code turbo reported for its task, when it failed. */
  exitCode: number | null;
  failedByTurbo: boolean;
  /** Processes its tests started that were still running after the run (leftovers.ts). */
  leftRunning: number;
}

// "@herenow/web:test: <line>": turbo's stream output, one task's lines prefixed with its name
const TASK_LINE = /^(\S+?):test: ?(.*)$/;
// the task's first line names its hash, which turbo gives the task as TURBO_HASH
const TASK_HASH = /^cache (?:bypass|miss), (?:force )?executing ([0-9a-f]+)/;
// "@herenow/web#test:  ERROR  command (/…/apps/web) /usr/bin/npm run test exited (1)"
const TASK_ERROR = /^(\S+?)#test:\s+ERROR\s+command .* exited \((\d+)\)/;
// "Failed:    @herenow/web#test, @herenow/outside-tests#test", at the end of turbo's run
const TURBO_FAILED = /^\s*Failed:\s+(.+)$/;
// vitest's summary: "      Tests  1 failed | 4 passed | 5 skipped (10)" or "Tests  no tests"
const TESTS = /^\s*Tests {2,}(.*)$/;
// the header of vitest's list of suites whose hooks (or imports) failed: "⎯⎯ Failed Suites 2 ⎯⎯"
const FAILED_SUITES = /\bFailed Suites (\d+)\b/;
// "     Errors  1 error"
const ERRORS = /^\s*Errors {2,}(\d+) errors?\b/;

/**
 * Sums every package's vitest summary from turbo's output. Feed it each line (colours and
 * all), then ask for `totals` and `failedPackages` once turbo has ended.
 *
 * @example
 * const summary = new TestSummary();
 * for (const line of output.split("\n")) summary.add(line);
 * console.log(closingLine(summary.totals()));
 */
export class TestSummary {
  private readonly packages = new Map<string, PackageCount>();
  private readonly packageOfHash = new Map<string, string>();
  private turboExitCode: number | null = 0;

  add(rawLine: string): void {
    const line = stripVTControlCharacters(rawLine).replace(/\r$/, "");
    const failedList = TURBO_FAILED.exec(line);
    if (failedList) {
      for (const task of failedList[1]!.split(",")) this.count(task.trim().replace(/#test$/, "")).failedByTurbo = true;
      return;
    }
    const taskError = TASK_ERROR.exec(line);
    if (taskError) {
      const count = this.count(taskError[1]!);
      count.failedByTurbo = true;
      count.exitCode = Number(taskError[2]);
      return;
    }
    // a line without turbo's prefix is vitest's own when it runs alone, the package unnamed
    const task = TASK_LINE.exec(line);
    const name = task ? task[1]! : "";
    const text = task ? task[2]! : line;
    if (task) this.count(name).ran = true;
    const hash = TASK_HASH.exec(text);
    if (task && hash) this.packageOfHash.set(hash[1]!, name);
    const tests = TESTS.exec(text);
    if (tests) {
      const count = this.count(name);
      count.summarized = true;
      for (const [, n, kind] of tests[1]!.matchAll(/(\d+) (passed|failed|skipped)\b/g)) {
        if (kind === "passed") count.passed += Number(n);
        else if (kind === "failed") count.failedTests += Number(n);
        else count.skipped += Number(n);
      }
      return;
    }
    const suites = FAILED_SUITES.exec(text);
    if (suites) {
      this.count(name).failedSuites += Number(suites[1]);
      return;
    }
    const errors = ERRORS.exec(text);
    if (errors) this.count(name).errors += Number(errors[1]);
  }

  /** Records how turbo itself ended: a failure it has no package for still fails the count. */
  finish(exitCode: number | null): void {
    this.turboExitCode = exitCode;
  }

  /**
   * The package whose test task had this TURBO_HASH (turbo gives it to the task's processes):
   * who started a leftover, whatever npm package's folder it ran in.
   */
  packageOf(taskHash: string | null): string | null {
    return (taskHash && this.packageOfHash.get(taskHash)) || null;
  }

  /** Records a process the run left running, started by `packageName`'s tests (null: unknown). */
  addLeftover(packageName: string | null): void {
    this.count(packageName ?? "(unknown)").leftRunning++;
  }

  /** The packages that failed, each with why, in the order they ran. */
  failedPackages(): FailedPackage[] {
    const failed: FailedPackage[] = [];
    for (const [name, count] of this.packages) {
      const why = describeFailure(count);
      if (why) failed.push({ name: name || "(unnamed)", why });
    }
    if (failed.length === 0 && this.turboExitCode !== 0) {
      failed.push({ name: "turbo", why: `exited ${this.turboExitCode ?? "on a signal"} with no package failing` });
    }
    return failed;
  }

  totals(): Totals {
    const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
    for (const count of this.packages.values()) {
      totals.passed += count.passed;
      totals.skipped += count.skipped;
      totals.failed += failures(count);
    }
    // turbo failed without a package to blame: one failure, so the count agrees with the exit code
    if (totals.failed === 0 && this.turboExitCode !== 0) totals.failed = 1;
    return totals;
  }

  private count(name: string): PackageCount {
    let count = this.packages.get(name);
    if (!count) {
      count = {
        ran: false,
        summarized: false,
        passed: 0,
        failedTests: 0,
        skipped: 0,
        failedSuites: 0,
        errors: 0,
        exitCode: null,
        failedByTurbo: false,
        leftRunning: 0,
      };
      this.packages.set(name, count);
    }
    return count;
  }
}

// what a package's failure adds to the count: what vitest counted, one for leaving processes
// running, and at least one when turbo says it failed or vitest never got to its summary
function failures(count: PackageCount): number {
  const counted = count.failedTests + count.failedSuites + count.errors + (count.leftRunning ? 1 : 0);
  return Math.max(counted, count.failedByTurbo || (count.ran && !count.summarized) ? 1 : 0);
}

function describeFailure(count: PackageCount): string | null {
  const parts = [
    plural(count.failedTests, "failed test"),
    plural(count.failedSuites, "failed suite"),
    plural(count.errors, "error outside tests", "errors outside tests"),
    count.leftRunning ? `left ${plural(count.leftRunning, "process", "processes")} running` : null,
  ].filter((part) => part !== null);
  if (count.ran && !count.summarized) parts.push("no vitest summary: killed, crashed or no test files");
  if (parts.length === 0 && count.failedByTurbo)
    parts.push(`exited ${count.exitCode ?? "non-zero"} with no failed test`);
  return parts.length ? parts.join(", ") : null;
}

function plural(n: number, one: string, many = `${one}s`): string | null {
  return n === 0 ? null : `${n} ${n === 1 ? one : many}`;
}

/**
 * The run's last line, `tests: N passed, N failed, N skipped`: what CI and people read (and
 * match with `^tests: \d+ passed, \d+ failed, \d+ skipped`).
 */
export function closingLine(totals: Totals): string {
  return `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
}

/** The line before it when something failed: `tests: failed: @herenow/web (1 failed test); …`. */
export function failedLine(failed: readonly FailedPackage[]): string | null {
  return failed.length ? `tests: failed: ${failed.map(({ name, why }) => `${name} (${why})`).join("; ")}` : null;
}
