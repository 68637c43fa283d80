import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";

/**
 * The part of a PGlite instance the dialect uses. Typed structurally so the
 * dialect never imports PGlite itself: the WASM loads only when a caller
 * passes (or lazily creates) an instance.
 *
 * @example
 * const pglite: PgliteLike = await PGlite.create();
 */
export interface PgliteLike {
  query<T>(
    sql: string,
    params?: unknown[],
    options?: { rowMode?: "object" | "array" },
  ): Promise<{ rows: T[]; command?: string; rowCount?: number; affectedRows?: number }>;
  close(): Promise<void>;
}

/**
 * Options for {@link PgliteDialect}.
 *
 * @example
 * const config: PgliteDialectConfig = { pglite: () => PGlite.create("./.data/pglite"), onReady: (db) => seed(db) };
 */
export interface PgliteDialectConfig {
  /** An open PGlite, or a factory called once, on the first query. */
  pglite: PgliteLike | (() => Promise<PgliteLike>);
  /**
   * Runs once after the database opened and before the first query, on a
   * Kysely that shares the connection (createDb migrates here).
   */
  onReady?: (db: Kysely<unknown>) => Promise<void>;
  /** Close the PGlite when Kysely is destroyed. Default true. */
  closeOnDestroy?: boolean;
}

/**
 * Kysely dialect for PGlite (Postgres in WASM), on Kysely's own Postgres
 * adapter, compiler and introspector. Written here rather than taken from
 * `kysely-pglite`, which pins an older Kysely that breaks Next's bundler.
 *
 * @example
 * const db = new Kysely<Database>({ dialect: new PgliteDialect({ pglite: () => PGlite.create() }) });
 */
export class PgliteDialect implements Dialect {
  readonly #config: PgliteDialectConfig;

  constructor(config: PgliteDialectConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/** A FIFO lock: `lock()` resolves to the function that releases it. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  async lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    await previous;
    return release;
  }
}

class PgliteDriver implements Driver {
  readonly #config: PgliteDialectConfig;
  // PGlite is one Postgres session: whoever holds the connection holds the
  // session, so a transaction never sees another caller's statements.
  readonly #mutex = new Mutex();
  #opening?: Promise<PgliteLike>;
  #pglite?: PgliteLike;
  #connection?: PgliteConnection;
  #release?: () => void;

  constructor(config: PgliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    const { pglite, onReady } = this.#config;
    // Kysely retries init after a failure; keep the instance we opened so a
    // retry never opens the same data directory twice.
    this.#opening ??= (typeof pglite === "function" ? pglite() : Promise.resolve(pglite)).catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    const instance = await this.#opening;
    if (onReady) {
      const inner = new Kysely<unknown>({ dialect: new PgliteDialect({ pglite: instance, closeOnDestroy: false }) });
      try {
        await onReady(inner);
      } finally {
        await inner.destroy();
      }
    }
    this.#pglite = instance;
    this.#connection = new PgliteConnection(instance);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.lock();
    if (!this.#connection) {
      release();
      throw new Error("PGlite driver is not initialized or has been destroyed");
    }
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = "begin";
    if (settings.isolationLevel || settings.accessMode) {
      statement = [
        "start transaction",
        settings.isolationLevel && `isolation level ${settings.isolationLevel}`,
        settings.accessMode,
      ]
        .filter(Boolean)
        .join(" ");
    }
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // Postgres answers COMMIT with a ROLLBACK tag when an earlier error
    // aborted the transaction; without this check the caller would think it
    // committed. Sent through executeQuery, so Kysely's `log` sees the COMMIT
    // as it does with pg.
    await connection.executeQuery(CompiledQuery.raw("commit"));
    if ((connection as PgliteConnection).lastCommand === "ROLLBACK") throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async destroy(): Promise<void> {
    const pglite = this.#pglite ?? (await this.#opening?.catch(() => undefined));
    this.#connection = undefined;
    this.#pglite = undefined;
    this.#opening = undefined;
    if (pglite && this.#config.closeOnDestroy !== false) {
      // Let a query in flight finish rather than closing under it.
      const release = await this.#mutex.lock();
      try {
        await pglite.close();
      } finally {
        release();
      }
    }
  }
}

const WRITE_COMMANDS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

class PgliteConnection implements DatabaseConnection {
  readonly #pglite: PgliteLike;
  /** The command tag of the last statement (QueryResult has no field for it). */
  lastCommand: string | undefined;

  constructor(pglite: PgliteLike) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    this.lastCommand = undefined;
    const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
      rowMode: "object",
    });
    this.lastCommand = result.command;
    // rowCount is per statement; affectedRows accumulates, so prefer rowCount.
    const affected = result.rowCount ?? result.affectedRows ?? 0;
    return {
      rows: result.rows,
      ...(result.command && WRITE_COMMANDS.has(result.command) ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    // PGlite has no cursors: the rows are in memory already, hand them out in chunks.
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += Math.max(1, chunkSize)) {
      yield { rows: rows.slice(i, i + Math.max(1, chunkSize)) };
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
