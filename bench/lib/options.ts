// A benchmark's flags (`--runs 5`), read with node:util's parseArgs: each flag is declared
// once, with its default as it would be typed and what the script gets from it.
import { parseArgs } from "node:util";
import type { Party, Runtime } from "./run";

/** One `--name value` flag: its default as typed, and how a value is read. */
interface Flag<T> {
  default?: string;
  read(value: string | undefined, name: string): T;
}

/** A list of allowed values, comma-separated (e.g. `--runtimes miniflare,wrangler`). */
function list<T extends string>(allowed: readonly T[], fallback: readonly T[]): Flag<T[]> {
  return {
    default: fallback.join(","),
    read: (value, name) => {
      const picked = (value ?? "").split(",").filter(Boolean);
      for (const item of picked) {
        if (!allowed.includes(item as T)) throw new Error(`--${name}: "${item}" is not one of ${allowed.join(", ")}`);
      }
      return picked as T[];
    },
  };
}

const RUNTIMES: readonly Runtime[] = ["miniflare", "wrangler"];
const PARTIES: readonly Party[] = ["baseline", "baseline-broadcast", "herenow"];

/** The kinds of flag a benchmark takes. */
export const flag = {
  /** A number, e.g. `--runs 5`. */
  number: (fallback: number): Flag<number> => ({ default: String(fallback), read: (value) => Number(value) }),
  /** A number, or null when the flag is not given. */
  optionalNumber: (): Flag<number | null> => ({ read: (value) => (value ? Number(value) : null) }),
  /** Comma-separated numbers, e.g. `--n 100,1000`. */
  numbers: (fallback: string): Flag<number[]> => ({
    default: fallback,
    read: (value) => (value ?? "").split(",").filter(Boolean).map(Number),
  }),
  /** Where the parties run, e.g. `--runtimes miniflare,wrangler` (default both). */
  runtimes: (fallback: readonly Runtime[] = RUNTIMES): Flag<Runtime[]> => list(RUNTIMES, fallback),
  /** One runtime, e.g. `--runtime wrangler`. */
  runtime: (fallback: Runtime): Flag<Runtime> => {
    const runtimes = list(RUNTIMES, [fallback]);
    return { default: fallback, read: (value, name) => runtimes.read(value, name)[0] ?? fallback };
  },
  /** Which parties are compared, e.g. `--parties baseline,herenow`. */
  parties: (fallback: readonly Party[]): Flag<Party[]> => list(PARTIES, fallback),
  /** One party, e.g. `--party baseline`. */
  party: (fallback: Party): Flag<Party> => {
    const parties = list(PARTIES, [fallback]);
    return { default: fallback, read: (value, name) => parties.read(value, name)[0] ?? fallback };
  },
};

/**
 * Reads this process's flags: each of `flags` with its default when not given; an unknown flag
 * or a value that is not allowed is an error that names it.
 *
 * @example
 * const { runs, runtimes } = readFlags({ runs: flag.number(5), runtimes: flag.runtimes() });
 */
export function readFlags<F extends Record<string, Flag<unknown>>>(
  flags: F,
): { [K in keyof F]: F[K] extends Flag<infer T> ? T : never } {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, { default: fallback }]) => [
      name,
      { type: "string" as const, ...(fallback === undefined ? {} : { default: fallback }) },
    ]),
  );
  const { values } = parseArgs({ options });
  return Object.fromEntries(
    Object.entries(flags).map(([name, { read }]) => [name, read(values[name] as string | undefined, name)]),
  ) as { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };
}
