// A fresh PartyServer worker outside the monorepo installs @herenow/server and
// @herenow/core from their tarballs, extends PresenceServer, type-checks, bundles with
// `wrangler deploy --dry-run`, and then runs in a local workerd (the party's harness).
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { closeAll, PartyServer, TestClient, token } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp, kB, npmInstall, pinnedVersion, run, tarballOf } from "./outside";

const packed = inject("packed");

describe.skipIf(inject("registryProblem") !== null)("a PartyServer worker that installs the tarballs", () => {
  let dir: string;
  let party: PartyServer | undefined;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    dir = createApp(
      "worker",
      {
        scripts: { build: "tsc -p tsconfig.json && wrangler deploy --dry-run --outdir dist" },
        dependencies: { partyserver: pinnedVersion("partyserver") },
        devDependencies: {
          "@cloudflare/workers-types": pinnedVersion("@cloudflare/workers-types"),
          typescript: pinnedVersion("typescript"),
          wrangler: pinnedVersion("wrangler"),
        },
      },
      { "@herenow/server": tarballOf(packed, "@herenow/server"), "@herenow/core": tarballOf(packed, "@herenow/core") },
    );
    await npmInstall(dir);
  });

  afterAll(async () => {
    closeAll(clients);
    await party?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("type-checks against the packed declarations and bundles with wrangler deploy --dry-run", async () => {
    await run("npm", ["run", "build"], dir, { ...process.env, WRANGLER_SEND_METRICS: "false" });
    const bundle = join(dir, "dist", "server.js");
    expect(existsSync(bundle)).toBe(true);
    console.info(`outside worker: wrangler bundle dist/server.js ${kB(statSync(bundle).size)}`);
  });

  it("runs: two users see each other and the subclass's own handler", async () => {
    party = await PartyServer.start({}, dir);
    const connect = async (user: { id: string; name: string }) => {
      const client = await TestClient.open(party!.url("outside", { token: await token(user) }));
      clients.push(client);
      return client;
    };
    const ann = await connect({ id: "u-ann", name: "Ann" });
    await ann.next("outside:hello", 0);
    const bo = await connect({ id: "u-bo", name: "Bo" });
    await ann.waitForUsers(["u-ann", "u-bo"]);
    await bo.waitForUsers(["u-ann", "u-bo"]);
  });
});
