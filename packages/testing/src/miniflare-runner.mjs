// Runs a built worker bundle under Miniflare's API (one workerd, as in production, without
// wrangler dev's relay process) until SIGTERM. The test harness starts it as a child
// process so that a SIGKILL of its process group is a crash of the runtime.
// Usage: node miniflare-runner.mjs '<json options>' (miniflare-options.ts's BundleOptions; Node strips the types)
import { Miniflare } from "miniflare";
import { miniflareOptions } from "./miniflare-options.ts";

const options = JSON.parse(process.argv[2] ?? "{}");
const mf = new Miniflare(miniflareOptions(options));
await mf.ready;
console.log(`ready on 127.0.0.1:${options.port}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
