// Under `prefers-reduced-motion: reduce` nothing in globals.css moves: every rule
// that animates or transitions has a counterpart in that query turning it off.
import { describe, expect, it } from "vitest";
import { globalRules } from "./css/stylesheet";

const REDUCED = /prefers-reduced-motion:\s*reduce/;
const MOTION = ["animation", "animation-name", "transition", "transition-property"];
const STILL = /^(none|0s?|all 0s)$/;

describe("globals.css motion", () => {
  const rules = globalRules();
  const moving = rules.filter(
    (rule) =>
      !rule.atRules.some((at) => REDUCED.test(at)) &&
      rule.declarations.some(([property, value]) => MOTION.includes(property) && !STILL.test(value)),
  );
  const stilled = rules.filter(
    (rule) =>
      rule.atRules.some((at) => REDUCED.test(at)) &&
      rule.declarations.some(([property, value]) => MOTION.includes(property) && STILL.test(value)),
  );

  it("has something that moves (or this test checks nothing)", () => {
    expect(moving.length).toBeGreaterThan(0);
  });

  it("holds every animation and transition still when reduced motion is asked for", () => {
    const unstilled = moving
      .filter((rule) => !stilled.some((still) => still.selector === rule.selector))
      .map((rule) => rule.selector);
    expect(unstilled, `no prefers-reduced-motion: reduce override for: ${unstilled.join(", ")}`).toEqual([]);
  });
});
