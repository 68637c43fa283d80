import { existsSync, readdirSync, readFileSync } from "node:fs";
import { shardOf } from "@herenow/core/engine";
import { closeAll, PartyServer, partyFetch, SECRET, TestClient, token } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The rest of the suite runs the built bundle under Miniflare (see harness.ts); this file
// runs the worker the way `npm run dev` does, under `wrangler dev`, so the dev command
// itself is checked: config, bindings, vars, routing, sockets and the room API.
let server: PartyServer;
beforeAll(async () => {
  server = await PartyServer.start({}, undefined, "wrangler");
});
afterAll(async () => {
  await server?.dispose();
});

describe("wrangler dev", () => {
  it("serves rooms at /parties/main/<room>: two users see each other, the room API answers", async () => {
    const ann = await TestClient.open(server.url("dev", { token: await token({ id: "u-ann", name: "Ann" }) }));
    const bo = await TestClient.open(server.url("dev", { token: await token({ id: "u-bo", name: "Bo" }) }));
    try {
      await ann.waitForUsers(["u-ann", "u-bo"]);
      await bo.waitForUsers(["u-ann", "u-bo"]);
      const response = await partyFetch(server.httpUrl("dev"), { headers: { authorization: `Bearer ${SECRET}` } });
      expect(await response.json()).toMatchObject({ room: "dev", connections: 2, anonymous: 0 });
      // the defaults of wrangler.jsonc's vars are in force
      expect(server.log).toContain('env.HERENOW_LEAVE_GRACE_MS ("5000")');
      // offline, with CLOUDFLARE_CF_FETCH_ENABLED=false as npm run dev sets it: no attempt to fetch
      // Request.cf, so no warning and no stack trace (wrangler 4.164 printed both twice at start)
      expect(server.log).not.toContain("Request.cf");
      expect(server.log).not.toContain("ENOTFOUND");
    } finally {
      closeAll([ann, bo]);
    }
  });

  // a command line is anyone's to read on the machine (ps, /proc/<pid>/cmdline): wrangler takes its
  // settings from a file (--env-file) that only its owner can read, as `npm run dev` passes them too
  it.skipIf(!existsSync("/proc/self/stat"))("keeps the secret off the command line of every process it runs", () => {
    const commandLines = processGroup(server.pid ?? -1).map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      } catch {
        return ""; // gone since the listing
      }
    });
    // npx's node, wrangler's node and its workerd at least
    expect(commandLines.filter((line) => line !== "").length).toBeGreaterThanOrEqual(2);
    for (const line of commandLines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain("--var");
    }
    expect(commandLines.some((line) => line.includes("--env-file"))).toBe(true);
  });

  it("spreads the demo's stage over shards: users on two shards see one room, and so does its API", async () => {
    // wrangler.jsonc: HERENOW_SHARDED_ROOMS "stage", HERENOW_SHARDS "8"; a person's sockets go to their shard
    expect([shardOf("u-ann", 8), shardOf("u-bo", 8)]).toEqual([6, 0]);
    const ann = await TestClient.open(
      server.url("stage", { token: await token({ id: "u-ann", name: "Ann" }), window: "100" }),
    );
    const bo = await TestClient.open(
      server.url("stage", { token: await token({ id: "u-bo", name: "Bo" }), window: "100" }),
    );
    try {
      await ann.waitForUsers(["u-ann", "u-bo"]);
      await bo.waitForUsers(["u-ann", "u-bo"]);
      const response = await partyFetch(server.httpUrl("stage"), { headers: { authorization: `Bearer ${SECRET}` } });
      expect(await response.json()).toMatchObject({ room: "stage", connections: 2, anonymous: 0 });
      expect(server.log).toContain('env.HERENOW_SHARDED_ROOMS ("stage")');
    } finally {
      closeAll([ann, bo]);
    }
  });
});

/** The processes of a process group, from /proc (Linux). */
function processGroup(group: number): string[] {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so count from its end
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      return Number(fields[2]) === group;
    } catch {
      return false;
    }
  });
}
