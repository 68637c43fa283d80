// WCAG 2.1 AA contrast of every colour pair the pages put together, in every
// theme globals.css defines. The colours come from the stylesheet (its custom
// properties and the rules that combine them), so changing a colour there is
// what this test checks; the pages' own rendering is checked by axe in e2e/axe.test.ts.
import { describe, expect, it } from "vitest";
import { contrast, hex, over, parseColor, resolveVars } from "./css/color";
import { declared, globalRules, themes } from "./css/stylesheet";

const rules = globalRules();
const css = (selector: string, property: string) => declared(rules, selector, property);

/** Text needs 4.5:1 (1.4.3); a control's edge or a meaningful dot, 3:1 (1.4.11). */
const TEXT = 4.5;
const NON_TEXT = 3;

interface Pair {
  what: string;
  foreground: string;
  background: string;
  minimum: number;
}

const surfaces = {
  page: css("body", "background"),
  card: css(".card", "background"),
  "room card / message": css(".room-link", "background"),
  "own message": css(".message-own .message-body", "background"),
};
const text = (what: string, foreground: string, on: (keyof typeof surfaces)[]): Pair[] =>
  on.map((surface) => ({ what: `${what} on ${surface}`, foreground, background: surfaces[surface], minimum: TEXT }));

const PAIRS: Pair[] = [
  ...text("body text", css("body", "color"), ["page", "card", "room card / message", "own message"]),
  ...text("muted text", css(".muted", "color"), ["page", "card", "room card / message", "own message"]),
  ...text("link", css("a", "color"), ["page", "card", "room card / message"]),
  ...text("link button", css(".link-button", "color"), ["card"]),
  ...text("error text", css(".form-error", "color"), ["page", "card"]),
  ...text("connection status (bad)", css(".status-bad", "color"), ["card"]),
  ...text("live head count", css(".room-count-live strong", "color"), ["room card / message"]),
  ...text("header nav link", css(".site-nav a", "color"), ["card"]),
  ...text("placeholder", css("::placeholder", "color"), ["card"]),
  { what: "button text", foreground: css("button", "color"), background: css("button", "background"), minimum: TEXT },
  {
    what: "danger button text",
    foreground: css("button", "color"),
    background: css(".button-danger", "background"),
    minimum: TEXT,
  },
  { what: "badge", foreground: css(".badge", "color"), background: css(".badge", "background"), minimum: TEXT },
  {
    what: "text on the error banner",
    foreground: css("body", "color"),
    background: css(".banner-bad", "background"),
    minimum: TEXT,
  },
  // every state's dot is also written out next to it, but the colours are text-grade all the same
  ...(["ok", "wait", "bad"] as const).map((tone) => ({
    what: `${tone} status dot on the status pill`,
    foreground: css(`.status-${tone} .status-dot`, "background"),
    background: css(".status", "background"),
    minimum: TEXT,
  })),
  {
    what: "focus ring on the page",
    foreground: "var(--accent)",
    background: surfaces.page,
    minimum: NON_TEXT,
  },
  { what: "focus ring on a card", foreground: "var(--accent)", background: surfaces.card, minimum: NON_TEXT },
  {
    what: "text field edge",
    foreground: css("input", "border").replace(/^\S+\s+\S+\s+/, ""),
    background: css("input", "background"),
    minimum: NON_TEXT,
  },
];

/** The avatar's colour turns on a hue per user: every hue is one background. */
const AVATAR_HUES = Array.from({ length: 360 }, (_, hue) => hue);

const all = themes(rules);

describe("globals.css colour contrast", () => {
  it("defines a light and a dark theme", () => {
    expect(all.map((theme) => theme.name)).toEqual(expect.arrayContaining(["light", "dark"]));
  });

  describe.each(all)("$name theme", (theme) => {
    const color = (value: string) => parseColor(resolveVars(value, theme.properties));
    const page = color(surfaces.page);

    it("meets WCAG AA for every pair", () => {
      const failures = PAIRS.flatMap((pair) => {
        // a translucent background is painted over the page
        const background = over(color(pair.background), page);
        const ratio = contrast(color(pair.foreground), background);
        return ratio < pair.minimum
          ? [
              `${pair.what}: ${ratio.toFixed(2)}:1 < ${pair.minimum}:1 (${pair.foreground} = ${hex(color(pair.foreground))} on ${pair.background} = ${hex(background)})`,
            ]
          : [];
      });
      expect(failures, failures.join("\n")).toEqual([]);
    });

    it("gives every avatar hue white initials at 4.5:1", () => {
      const foreground = css(".avatar", "color");
      const background = css(".avatar", "background");
      const failures = AVATAR_HUES.flatMap((hue) => {
        const withHue = new Map(theme.properties).set("--avatar-hue", String(hue));
        const ratio = contrast(
          parseColor(resolveVars(foreground, withHue)),
          parseColor(resolveVars(background, withHue)),
        );
        return ratio < TEXT ? [`hue ${hue}: ${ratio.toFixed(2)}:1`] : [];
      });
      expect(failures, `avatar initials (${foreground} on ${background}):\n${failures.join("\n")}`).toEqual([]);
    });
  });
});
