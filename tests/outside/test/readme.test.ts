// What a newcomer copies from the READMEs, run as they would run it: the `npm pack` and
// `npm install` commands (the packages are not on the registry yet), the smallest worker of
// packages/server/README.md bundled by `wrangler deploy --dry-run`, and the README's token
// route without Next.js, whose token the party accepts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeAll, freePort, PartyServer, SECRET, TestClient } from "@herenow/testing";
import { runCommand, type StartedServer, startServer } from "@herenow/testing/processes";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { INSTALL_TIMEOUT_MS, repoRoot, userNpmEnv } from "./outside";
import { codeBlock, commands } from "./readme";

/** Where the READMEs put the tarballs, beside the clone. */
const PACKS = "../herenow-packs";

/**
 * Runs a README's shell block: the lines that name PACKS from inside the clone (mkdir, npm
 * pack) in the repository with PACKS moved into `root`, and the rest (npm install) in `app`,
 * a folder of `root`, where PACKS is found as written.
 */
async function runShellBlock(block: string, root: string, app: string): Promise<void> {
  // a user's own npm settings, and no audit or funding chatter; installs reuse npm's cache
  const env = {
    ...userNpmEnv(),
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  for (const command of commands(block)) {
    const inClone = command.startsWith("mkdir") || command.startsWith("npm pack");
    const line = inClone ? command.replaceAll(PACKS, join(root, "herenow-packs")) : command;
    await runCommand("sh", ["-c", line], {
      cwd: inClone ? repoRoot : app,
      env: inClone ? process.env : env,
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
  }
}

/** A newcomer's empty project. */
function newProject(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name, private: true, type: "module" }, null, 2)}\n`);
  return dir;
}

describe.skipIf(inject("registryProblem") !== null)("the README's commands, as a newcomer runs them", () => {
  let root: string;
  let party: PartyServer | undefined;
  let tokenServer: StartedServer | undefined;
  const clients: TestClient[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "herenow-readme-"));
  });

  afterAll(async () => {
    closeAll(clients);
    await tokenServer?.stop();
    await party?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(
    "packages/server/README.md: packs, installs and bundles its worker with wrangler deploy --dry-run",
    async () => {
      const readme = "packages/server/README.md";
      const app = newProject(root, "my-worker");
      await runShellBlock(codeBlock(readme, "sh", "npm pack"), root, app);
      mkdirSync(join(app, "src"));
      writeFileSync(join(app, "src", "server.ts"), codeBlock(readme, "ts", "extends PresenceServer"));
      writeFileSync(join(app, "wrangler.jsonc"), codeBlock(readme, "jsonc", '"main"'));

      const bundle = "npx wrangler deploy --dry-run --outdir dist";
      expect(readFileSync(join(repoRoot, readme), "utf8")).toContain(bundle);
      await runCommand("sh", ["-c", bundle], {
        cwd: app,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
        timeoutMs: 120_000,
      });
      expect(existsSync(join(app, "dist", "server.js"))).toBe(true);
    },
    INSTALL_TIMEOUT_MS * 3,
  );

  it(
    "README.md: the React section's install and its token route without Next.js, whose token the party accepts",
    async () => {
      const readme = "README.md";
      const app = newProject(root, "my-app");
      const partyStarting = PartyServer.start();
      await runShellBlock(
        codeBlock(readme, "sh", "npm pack -w @herenow/core -w @herenow/client -w @herenow/react"),
        root,
        app,
      );
      party = await partyStarting;
      expect(existsSync(join(app, "node_modules", "@herenow", "react", "package.json"))).toBe(true);

      writeFileSync(join(app, "token-server.mjs"), codeBlock(readme, "js", "token-server.mjs"));
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      // the README runs it with the clone's development secret; here the test party's
      const tokenUrl = `${origin}/api/herenow/token?room=readme-room`;
      tokenServer = await startServer(process.execPath, ["token-server.mjs"], {
        cwd: app,
        env: { PATH: process.env.PATH ?? "", HERENOW_SECRET: SECRET, PORT: String(port) },
        url: tokenUrl,
        ready: "any",
      });
      const response = await fetch(tokenUrl);
      expect(response.status).toBe(200);
      const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: number };
      expect(expiresAt).toBeGreaterThan(Date.now());

      const client = await TestClient.open(party.url("readme-room", { token }));
      clients.push(client);
      const sync = await client.next("presence:sync", 0);
      expect(sync.self.user).toMatchObject({ id: "ann", name: "Ann" });
      // the token is for that room alone
      await expect(TestClient.open(party.url("another-room", { token }))).rejects.toThrow(/HTTP 401/);
      // a room the party would refuse gets no token
      expect((await fetch(`${origin}/api/herenow/token?room=..`)).status).toBe(400);
    },
    INSTALL_TIMEOUT_MS * 2,
  );
});
