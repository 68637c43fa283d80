// Just enough of a CSS reader for globals.css: its rules with the at-rules around
// them, and its themes (the custom properties of `:root`, and what a
// `prefers-color-scheme: dark` query or a `data-theme` selector changes).
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One style rule: its selector, the at-rule preludes it sits in (outermost first), its declarations in order. */
export interface CssRule {
  selector: string;
  atRules: string[];
  declarations: [property: string, value: string][];
}

/** The stylesheet every page loads. */
const GLOBALS_CSS = join(import.meta.dirname, "..", "..", "src", "app", "globals.css");

/** Every style rule of a stylesheet, nested at-rules included (`@keyframes` steps are skipped). */
function parseRules(css: string): CssRule[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, "");
  const rules: CssRule[] = [];
  let position = 0;

  function block(atRules: string[]): void {
    while (position < text.length) {
      const open = text.indexOf("{", position);
      const close = text.indexOf("}", position);
      if (close !== -1 && (open === -1 || close < open)) {
        position = close + 1;
        return;
      }
      if (open === -1) return;
      const prelude = text.slice(position, open).trim();
      position = open + 1;
      if (prelude.startsWith("@")) {
        const inner = [...atRules, prelude];
        if (prelude.startsWith("@keyframes")) skipBlock();
        else block(inner);
        continue;
      }
      const end = text.indexOf("}", position);
      const body = text.slice(position, end);
      position = end + 1;
      rules.push({ selector: prelude.replace(/\s+/g, " "), atRules, declarations: parseDeclarations(body) });
    }
  }

  function skipBlock(): void {
    let depth = 1;
    while (depth > 0 && position < text.length) {
      const char = text[position++];
      if (char === "{") depth++;
      if (char === "}") depth--;
    }
  }

  block([]);
  return rules;
}

function parseDeclarations(body: string): [string, string][] {
  const declarations: [string, string][] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    const char = body[i];
    if (char === "(") depth++;
    if (char === ")") depth--;
    if ((char === ";" && depth === 0) || i === body.length) {
      const declaration = body.slice(start, i).trim();
      start = i + 1;
      const colon = declaration.indexOf(":");
      if (colon > 0) declarations.push([declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim()]);
    }
  }
  return declarations;
}

/** The stylesheet's rules, read from disk. */
export function globalRules(): CssRule[] {
  return parseRules(readFileSync(GLOBALS_CSS, "utf8"));
}

/** A theme: its name and every custom property it sets (the base theme's, overridden by its own). */
export interface Theme {
  name: string;
  properties: Map<string, string>;
}

const DARK_QUERY = /prefers-color-scheme:\s*dark/;
const DATA_THEME = /\[data-theme=["']?([\w-]+)["']?\]/;

/**
 * The themes a stylesheet defines: "light" from `:root`, "dark" from `:root`
 * inside `@media (prefers-color-scheme: dark)`, and one per `[data-theme=…]`
 * selector, each on top of the light one.
 */
export function themes(rules: readonly CssRule[]): Theme[] {
  const custom = (rule: CssRule) => rule.declarations.filter(([property]) => property.startsWith("--"));
  const light = new Map<string, string>();
  for (const rule of rules)
    if (rule.selector === ":root" && rule.atRules.length === 0) for (const [p, v] of custom(rule)) light.set(p, v);
  const found = new Map<string, Map<string, string>>([["light", light]]);
  for (const rule of rules) {
    const dataTheme = DATA_THEME.exec(rule.selector)?.[1];
    const name =
      dataTheme ?? (rule.selector === ":root" && rule.atRules.some((at) => DARK_QUERY.test(at)) ? "dark" : null);
    if (name === null || custom(rule).length === 0) continue;
    const properties = found.get(name) ?? new Map(light);
    for (const [property, value] of custom(rule)) properties.set(property, value);
    found.set(name, properties);
  }
  return [...found].map(([name, properties]) => ({ name, properties }));
}

/**
 * The value a rule (outside any at-rule) declares for a property, exactly as
 * written; throws when the stylesheet has no such declaration, so a renamed
 * class fails the test that reads it rather than passing unchecked.
 */
export function declared(rules: readonly CssRule[], selector: string, property: string): string {
  // the last rule wins, as in the cascade between rules of equal specificity
  const rule = [...rules]
    .reverse()
    .find(
      (candidate) =>
        candidate.atRules.length === 0 &&
        candidate.selector.split(",").some((part) => part.trim() === selector) &&
        candidate.declarations.some(([name]) => name === property),
    );
  const value = rule?.declarations.filter(([name]) => name === property).at(-1)?.[1];
  if (value === undefined) throw new Error(`globals.css declares no ${property} for ${selector}`);
  return value;
}
