import type { KyselyPlugin } from "kysely";

/**
 * Counts the statements a database handle runs: give `plugin` to
 * `db.withPlugin`, read `count`, `reset()` between steps. Counted per
 * result, because transformQuery also sees every builder nested in a CTE.
 */
export function statementCounter() {
  let count = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      count += 1;
      return args.result;
    },
  };
  return {
    plugin,
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}
