// The samples are real output, colours and all: turbo 2.11 running vitest 5.1 in five small
// packages. @x/a has a beforeAll that throws, one that times out, a test that times out, a
// skipped test and an error thrown after its test passed; @x/b passes; @x/c's globalSetup
// throws; @x/d's vitest is killed (SIGKILL) mid-run; @x/e has no test file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closingLine, failedLine, TestSummary } from "../src/test-summary";

function summaryOf(sample: string, exitCode: number | null): TestSummary {
  const summary = new TestSummary();
  for (const line of readFileSync(join(import.meta.dirname, "fixtures", sample), "utf8").split("\n")) summary.add(line);
  summary.finish(exitCode);
  return summary;
}

const CLOSING_LINE = /^tests: \d+ passed, \d+ failed, \d+ skipped$/;

describe("npm test's count", () => {
  it("counts a suite whose beforeAll threw or timed out as failed, though vitest reports its tests as skipped", () => {
    const summary = summaryOf("turbo-failures.txt", 137);
    const a = summary.failedPackages().find((p) => p.name === "@x/a");
    // the test that timed out, the two suites, the error after a passing test
    expect(a?.why).toBe("1 failed test, 2 failed suites, 1 error outside tests");
  });

  it("counts a package whose vitest printed no summary (killed, or no test file) and an error outside tests", () => {
    const failed = summaryOf("turbo-failures.txt", 137).failedPackages();
    expect(failed.map((p) => p.name).sort()).toEqual(["@x/a", "@x/c", "@x/d", "@x/e"]);
    expect(failed.find((p) => p.name === "@x/c")?.why).toBe("1 error outside tests");
    for (const name of ["@x/d", "@x/e"]) {
      expect(failed.find((p) => p.name === name)?.why).toBe("no vitest summary: killed, crashed or no test files");
    }
  });

  it("sums every failure into the closing line, and names the failed packages on the line before it", () => {
    const summary = summaryOf("turbo-failures.txt", 137);
    // 4 in @x/a, 1 each in @x/c, @x/d and @x/e; the "Tests" lines alone said 1 failed
    expect(closingLine(summary.totals())).toBe("tests: 5 passed, 7 failed, 5 skipped");
    expect(closingLine(summary.totals())).toMatch(CLOSING_LINE);
    const line = failedLine(summary.failedPackages());
    expect(line).toMatch(/^tests: failed: /);
    for (const name of ["@x/a", "@x/c", "@x/d", "@x/e"]) expect(line).toContain(`${name} (`);
    expect(line).not.toContain("@x/b");
  });

  it("says 0 failed, and names no package, when every package passed", () => {
    const summary = summaryOf("turbo-pass.txt", 0);
    expect(closingLine(summary.totals())).toBe("tests: 1 passed, 0 failed, 0 skipped");
    expect(failedLine(summary.failedPackages())).toBeNull();
  });

  it("counts one failure when turbo failed with no package to blame", () => {
    const summary = summaryOf("turbo-pass.txt", 1);
    expect(summary.totals().failed).toBe(1);
    expect(summary.failedPackages()).toEqual([{ name: "turbo", why: "exited 1 with no package failing" }]);
  });

  it("counts a package that turbo says failed though vitest counted no failure", () => {
    const summary = new TestSummary();
    for (const line of readFileSync(join(import.meta.dirname, "fixtures", "turbo-pass.txt"), "utf8").split("\n")) {
      summary.add(line);
    }
    summary.add("Failed:    @x/b#test");
    summary.finish(1);
    expect(summary.totals()).toEqual({ passed: 1, failed: 1, skipped: 0 });
    expect(summary.failedPackages()).toEqual([{ name: "@x/b", why: "exited non-zero with no failed test" }]);
  });

  it("counts processes left running against the package whose task started them", () => {
    const summary = summaryOf("turbo-pass.txt", 0);
    // the hash turbo printed for @x/b's task, which its processes carry as TURBO_HASH
    const owner = summary.packageOf("262f17c348aff5ab");
    expect(owner).toBe("@x/b");
    summary.addLeftover(owner);
    summary.addLeftover(owner);
    summary.addLeftover(summary.packageOf(null));
    expect(summary.totals()).toEqual({ passed: 1, failed: 2, skipped: 0 });
    expect(failedLine(summary.failedPackages())).toBe(
      "tests: failed: @x/b (left 2 processes running); (unknown) (left 1 process running)",
    );
  });

  it("reads vitest's own output, without turbo's prefixes", () => {
    const summary = summaryOf("vitest-alone.txt", 1);
    expect(summary.totals()).toEqual({ passed: 4, failed: 4, skipped: 5 });
  });
});
