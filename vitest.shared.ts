import { defaultServerConditions } from "vite";

/**
 * How every package's tests resolve imports: @herenow/* to their src/ (the
 * "herenow:source" export condition), so tests need no build; the rest as
 * vitest resolves by default (Node's conditions, whatever the environment).
 * For `resolve.conditions` and `ssr.resolve.conditions`.
 */
export const SOURCE_CONDITIONS = [
  "herenow:source",
  ...defaultServerConditions.filter((condition) => condition !== "module"),
];
