// Apps outside the monorepo: copied from a fixture into os.tmpdir(), where no workspace
// package can be found by walking up, and installed from the tarballs and the npm registry.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// node-only entry points: the global setup (pack.ts) imports this file too, and resolves no
// workspace package to its sources there
import { runCommand, runToEnd, type StartedServer, startServer } from "@herenow/testing/processes";

export const repoRoot = join(import.meta.dirname, "..", "..", "..");

/** The folders under packages/ that are published. */
export const PUBLISHED = ["core", "server", "client", "react", "db"] as const;

/** One `npm pack` result. */
export interface Packed {
  name: string;
  tarball: string;
  /** bytes of the .tgz */
  size: number;
  unpackedSize: number;
  files: string[];
}

/**
 * The exact version the repository pins for a registry package (its lock file installs it
 * everywhere), so an outside app builds with the toolchain the repository is tested on.
 */
export function pinnedVersion(name: string): string {
  const manifests = [
    "package.json",
    "party/package.json",
    "apps/web/package.json",
    "bench/package.json",
    "packages/testing/package.json",
  ];
  manifests.push(...PUBLISHED.map((dir) => `packages/${dir}/package.json`));
  for (const manifest of manifests) {
    const pkg = JSON.parse(readFileSync(join(repoRoot, manifest), "utf8"));
    const version = pkg.devDependencies?.[name] ?? pkg.dependencies?.[name];
    if (typeof version === "string" && /^\d+\.\d+\.\d+/.test(version)) return version;
  }
  throw new Error(`the repository pins no exact version of ${name}`);
}

/** The tarball of a package, by name. */
export function tarballOf(packed: Packed[], name: string): string {
  const found = packed.find((p) => p.name === name);
  if (!found) throw new Error(`${name} was not packed (packed: ${packed.map((p) => p.name).join(", ")})`);
  return found.tarball;
}

/**
 * A copy of `test/fixtures/<fixture>` in a fresh temporary folder, with a package.json
 * whose dependencies are the given tarballs (`file:`) and registry versions. The
 * tarballs are also `overrides`, so a package's own dependency on another @herenow
 * package is that tarball too and never a registry lookup.
 */
export function createApp(
  fixture: string,
  pkg: {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    scripts?: Record<string, string>;
  },
  tarballs: Record<string, string>,
  /** Files of `test/fixtures/shared` the app has too (the Vite apps' token route). */
  shared: string[] = [],
): string {
  const dir = mkdtempSync(join(tmpdir(), `herenow-outside-${fixture}-`));
  cpSync(join(import.meta.dirname, "fixtures", fixture), dir, { recursive: true });
  for (const file of shared) cpSync(join(import.meta.dirname, "fixtures", "shared", file), join(dir, file));
  const files = Object.fromEntries(Object.entries(tarballs).map(([name, tarball]) => [name, `file:${tarball}`]));
  const manifest = {
    name: `herenow-outside-${fixture}`,
    private: true,
    type: "module",
    scripts: pkg.scripts ?? {},
    dependencies: { ...files, ...pkg.dependencies },
    devDependencies: pkg.devDependencies,
    overrides: files,
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/**
 * Runs a command to the end in `env` (default: this process's), in a process group that is
 * stopped when it ends; rejects with its output when it fails.
 */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return runCommand(command, args, { cwd, env });
}

/**
 * A user's own npm environment: this one without the workspace's npm settings that
 * `npm test` passes down (npm_config_*, npm_package_*, all lower case). A user's own
 * NPM_CONFIG_REGISTRY, proxy or certificates stay (turbo.json passes NPM_CONFIG_* on).
 */
export function userNpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")));
}

/**
 * How long an outside app's `npm install` may take: less than the 300 s of the hook it runs
 * in, so that a hung install fails with its own message, not the hook's timeout (which would
 * leave it running).
 */
export const INSTALL_TIMEOUT_MS = 240_000;

/**
 * `npm install` of an outside app, as a user would run it (userNpmEnv). It is killed, with
 * every process it started, after INSTALL_TIMEOUT_MS: behind a proxy whose certificate npm
 * cannot verify, npm retries each request for minutes before giving up.
 */
export function npmInstall(dir: string): Promise<string> {
  return runCommand("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: dir,
    env: userNpmEnv(),
    timeoutMs: INSTALL_TIMEOUT_MS,
    hint:
      "is the npm registry reachable? npm retries for minutes when it is not, or when it cannot verify " +
      "its certificate (SELF_SIGNED_CERT_IN_CHAIN behind a proxy: set NODE_EXTRA_CA_CERTS or npm's cafile)",
  });
}

/**
 * Why an outside app could not install from the npm registry, in one line, or null when it
 * can: `npm ping` of the registry a user's npm uses (their .npmrc, proxy and certificates),
 * from outside the workspace, with no retries. An unreachable registry, or one npm cannot
 * verify, answers it in seconds, where `npm install` would retry for minutes.
 */
export async function npmRegistryProblem(): Promise<string | null> {
  const { code, output, timedOut } = await runToEnd("npm", ["ping", "--fetch-retries=0", "--fetch-timeout=15000"], {
    cwd: tmpdir(),
    env: userNpmEnv(),
    timeoutMs: 30_000,
  });
  if (code === 0 && !timedOut) return null;
  const registry = /PING (\S+)/.exec(output)?.[1] ?? "the registry";
  if (timedOut) return `npm ping ${registry} had no answer within 30 s`;
  // "npm error code DEPTH_ZERO_SELF_SIGNED_CERT", then npm's own sentence ("… reason: self-signed certificate")
  const errorCode = /^npm error code (\S+)/m.exec(output)?.[1] ?? `exit ${code}`;
  const sentence = /^npm error (?!code |errno |syscall )(.+)$/m.exec(output)?.[1];
  return `npm ping ${registry} failed: ${errorCode}${sentence ? ` (${sentence.trim()})` : ""}`;
}

/** The total size in bytes of the files under a folder. */
export function folderSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** `12.3 kB` */
export function kB(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/**
 * `vite preview` of a built outside app on `port`, once `path` answers 200; its token route
 * signs with the test party's secret (`secret`).
 */
export function startPreview(dir: string, port: number, secret: string, path = "/"): Promise<StartedServer> {
  const args = ["preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"];
  return startServer(join(dir, "node_modules", ".bin", "vite"), args, {
    cwd: dir,
    env: { ...process.env, HERENOW_SECRET: secret },
    url: `http://127.0.0.1:${port}${path}`,
  });
}

/**
 * Stops what a browser suite of an outside app started, whatever of it did start (the install
 * may have failed first), and removes the app.
 */
export async function stopApp(started: {
  browser?: { close(): Promise<void> };
  preview?: StartedServer;
  partyStarting?: Promise<{ dispose(): Promise<void> }>;
  dir?: string;
}): Promise<void> {
  await started.browser?.close();
  await started.preview?.stop();
  await started.partyStarting?.then(
    (party) => party.dispose(),
    () => undefined,
  );
  if (started.dir) rmSync(started.dir, { recursive: true, force: true });
}
