import { describe, expect, it } from "vitest";
import { sameSitePath } from "@/server/http";

const ORIGIN = "https://app.test";

describe("sameSitePath", () => {
  it.each([
    ["/", "/"],
    ["/rooms/lobby", "/rooms/lobby"],
    ["/rooms/lobby?signin=invalid_name#chat", "/rooms/lobby?signin=invalid_name#chat"],
    ["https://app.test/rooms/a", "/rooms/a"],
    // a percent-encoded tab is three characters of a path, not a tab: it stays on this site
    ["/%09/evil.example", "/%09/evil.example"],
    ["/rooms/../admin", "/admin"],
  ])("keeps %j on this site as %j", (value, path) => {
    expect(sameSitePath(value, ORIGIN)).toBe(path);
  });

  it.each([
    ["a protocol-relative URL", "//evil.example"],
    ["a backslash the parser reads as a slash", "/\\evil.example"],
    ["two backslashes", "\\\\evil.example"],
    ["a tab the parser drops", "/\t/evil.example/x"],
    ["a newline the parser drops", "/\n/evil.example/x"],
    ["a dot segment that leaves `//` behind", "/.//evil.example"],
    ["an encoded dot-dot segment that leaves `//` behind", "/%2e%2e//evil.example"],
    ["another origin", "https://evil.example"],
    ["this host on another scheme", "http://app.test/rooms/a"],
    ["a script URL", "javascript:alert(1)"],
    ["a data URL", "data:text/html,<script>alert(1)</script>"],
    ["a CR LF (a header injection)", "/rooms/a\r\nSet-Cookie: x=1"],
    ["a NUL", "/rooms/\u0000a"],
    ["an empty string", ""],
    ["a path over 512 characters", `/${"a".repeat(512)}`],
    ["a number", 42],
    ["nothing", undefined],
  ])("refuses %s", (_what, value) => {
    expect(sameSitePath(value, ORIGIN)).toBeNull();
  });

  it("never answers a path that a browser would resolve to another origin", () => {
    const hostile = [
      "/\t/evil.example",
      "/ /evil.example",
      "/\\/evil.example",
      "/./\\evil.example",
      "/%5c/evil",
      "/..//x",
    ];
    for (const value of hostile) {
      const path = sameSitePath(value, ORIGIN);
      if (path !== null) expect(new URL(path, ORIGIN).origin).toBe(ORIGIN);
    }
  });
});
