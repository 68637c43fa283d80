// Runs a built worker bundle under Miniflare's API (one workerd, as in production, without
// wrangler dev's relay process) until SIGTERM. The test harness starts it as a child
// process so that a SIGKILL of its process group is a crash of the runtime.
// Usage: node miniflare-runner.mjs '<json options>'
import { Miniflare } from "miniflare";

const options = JSON.parse(process.argv[2] ?? "{}");
const mf = new Miniflare({
  modules: true,
  scriptPath: options.scriptPath,
  modulesRoot: options.modulesRoot,
  compatibilityDate: options.compatibilityDate,
  compatibilityFlags: options.compatibilityFlags ?? [],
  host: "127.0.0.1",
  port: options.port,
  durableObjects: Object.fromEntries(
    options.durableObjects.map(({ name, className }) => [name, { className, useSQLite: true }]),
  ),
  durableObjectsPersist: options.persistDir,
  bindings: options.vars,
});
await mf.ready;
console.log(`ready on 127.0.0.1:${options.port}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
