// How a built worker bundle becomes Miniflare's options, for the test runner and the bench's
// profiler alike. Miniflare 5 (the one wrangler 4.164 runs on) takes a worker as wrangler-shaped
// config: its modules by content, its bindings in `env`, its Durable Object classes in `exports`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MiniflareOptions } from "miniflare";

/** Where a built bundle is and how it runs. */
export interface BundleOptions {
  /** The folder `wrangler deploy --dry-run --outdir` wrote. */
  modulesRoot: string;
  /** The entry module's name in it, e.g. `server.js`. */
  mainModule: string;
  compatibilityDate: string;
  compatibilityFlags?: string[];
  port: number;
  inspectorPort?: number;
  /** Where Durable Objects keep their SQLite files (none: in memory). */
  persistDir?: string;
  vars: Record<string, string>;
  durableObjects: { name: string; className: string }[];
}

/**
 * Miniflare's options for a bundle wrangler built.
 * @example new Miniflare(miniflareOptions({ modulesRoot, mainModule: "server.js", ... }))
 */
export function miniflareOptions(options: BundleOptions): MiniflareOptions {
  // every module of the bundle (the entry, its chunks, their source maps)
  const modules: Record<string, { type: "esm" | "sourcemap"; contents: string }> = {};
  for (const name of readdirSync(options.modulesRoot, { recursive: true, encoding: "utf8" })) {
    const type = /\.m?js$/.test(name) ? "esm" : name.endsWith(".map") ? "sourcemap" : null;
    if (type) modules[name] = { type, contents: readFileSync(join(options.modulesRoot, name), "utf8") };
  }
  const env: Record<
    string,
    { type: "text"; value: string } | { type: "durable-object"; worker: string; exportName: string }
  > = Object.fromEntries(Object.entries(options.vars).map(([name, value]) => [name, { type: "text", value }]));
  const exports: Record<string, { type: "durable-object"; storage: "sqlite" }> = {};
  for (const { name, className } of options.durableObjects) {
    env[name] = { type: "durable-object", worker: "", exportName: className };
    exports[className] = { type: "durable-object", storage: "sqlite" };
  }
  return {
    host: "127.0.0.1",
    port: options.port,
    ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
    // every room's SQLite files live here, so a restart on the same folder keeps them
    ...(options.persistDir ? { resourcePersistencePath: options.persistDir } : {}),
    logRequests: false,
    telemetry: { enabled: false },
    workers: [
      {
        config: {
          name: "",
          compatibilityDate: options.compatibilityDate,
          compatibilityFlags: options.compatibilityFlags ?? [],
          manifest: { mainModule: options.mainModule, modulesRoot: options.modulesRoot, modules },
          env,
          exports,
        },
      },
    ],
  };
}
