// A simulated crowd for the demo: N signed-in users join one room (the "stage") through
// a few client processes and stay, heartbeating, until Ctrl-C. With more users than the
// room's window threshold (500) the demo's online panel shows the head count, the first
// people, the ones you follow, and "Show everyone".
// Run beside `npm run dev`: npm run crowd -w @herenow/bench -- --n 2000
// (wrangler dev's relay holds about 6 file descriptors per socket, so with this machine's
// limit of 20,000 it tops out near 3,300 connections; a deployed worker has no such limit)
import { parseArgs } from "node:util";
// the development secret `npm run dev` shares between the party and the web app
import { devSecret } from "../scripts/dev-secret.mjs";
import { isReport, Workers } from "./lib/run";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "2000" },
    room: { type: "string", default: "stage" },
    host: { type: "string", default: process.env.HERENOW_PARTY_HOST ?? "127.0.0.1:1999" },
    workers: { type: "string", default: "4" },
    batch: { type: "string", default: "100" },
  },
});
const n = Number(values.n);
const room = values.room ?? "stage";
const host = values.host ?? "127.0.0.1:1999";
const workers = new Workers(Number(values.workers));

const started = Date.now();
await workers.ready();
console.log(`crowd: ${n.toLocaleString("en-US")} users joining ${room} at ${host}…`);
workers.openUsers(n, {
  kind: "herenow",
  host,
  room,
  batch: Math.max(1, Math.floor(Number(values.batch) / Number(values.workers))),
  secret: devSecret(),
  expect: n,
  // a crowd member's own view is a window of one: the crowd costs the room O(1) per change each
  window: 1,
  heartbeatMs: 20_000,
});
await workers.collect(isReport("opened"), undefined, 30 * 60_000);
await workers.collect(isReport("complete"), undefined, 30 * 60_000);
console.log(
  `crowd: ${n.toLocaleString("en-US")} here after ${((Date.now() - started) / 1000).toFixed(1)} s; open http://localhost:3000/rooms/${room} (Ctrl-C to leave)`,
);
const leave = () => {
  workers.close();
  process.exit(0);
};
process.on("SIGINT", leave);
process.on("SIGTERM", leave);
