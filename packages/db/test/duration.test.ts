import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../src/duration";

describe("parseDuration", () => {
  it.each([
    ["1500ms", 1500],
    ["60s", 60_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1.5s", 1500],
    ["60000", 60_000],
    [" 2m ", 120_000],
    ["0", 0],
  ])("reads %j as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "soon", "-5s", "5 m", "5d", "1e3", "s"])("refuses %j, naming the accepted forms", (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration: use a number with ms, s, m or h/);
  });
});

describe("formatDuration", () => {
  it.each([
    [60_000, "60s"],
    [300_000, "5m"],
    [90_000, "90s"],
    [3_600_000, "60m"],
    [7_200_000, "2h"],
    [1500, "1500ms"],
    [1000, "1s"],
    [0, "0ms"],
  ])("writes %i ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
