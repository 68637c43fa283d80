// Apps outside the monorepo: copied from a fixture into os.tmpdir(), where no workspace
// package can be found by walking up, and installed from the tarballs and the npm registry.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..", "..");

/** The folders under packages/ that are published. */
export const PUBLISHED = ["core", "server", "react", "db"] as const;

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
  const manifests = ["package.json", "party/package.json", "apps/web/package.json", "bench/package.json"];
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
): string {
  const dir = mkdtempSync(join(tmpdir(), `herenow-outside-${fixture}-`));
  cpSync(join(import.meta.dirname, "fixtures", fixture), dir, { recursive: true });
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

/** Runs a command to the end in `env` (default: this process's); rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(" ")} failed (${code}) in ${cwd}:\n${output}`)),
    );
  });
}

/**
 * `npm install` of an outside app, without the workspace's npm settings that
 * `npm test` passes down (npm_config_*, npm_package_*): the install is a user's own.
 */
export function npmInstall(dir: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")));
  return run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir, env);
}

/** A long-running process in its own process group, stopped with all its children. */
export function startDetached(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess & { output: () => string } {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return Object.assign(child, { output: () => output });
}

/** Stops a process started with startDetached, and its children. */
export function stopDetached(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
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
