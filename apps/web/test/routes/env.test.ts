import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, readEnv } from "@/env";

function fakeRepo(): { root: string; app: string } {
  const root = mkdtempSync(join(tmpdir(), "herenow-env-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ workspaces: ["apps/*"] }));
  const app = join(root, "apps", "web");
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "@herenow/web" }));
  return { root, app };
}

const production = {
  NODE_ENV: "production",
  HERENOW_SECRET: "s".repeat(48),
  HERENOW_SESSION_SECRET: "t".repeat(48),
  HERENOW_PARTY_HOST: "herenow.example.workers.dev",
  HERENOW_ADMIN_PASSWORD: "correct horse battery staple",
  DATABASE_URL: "postgres://app:secret@db.example.com:5432/app",
};

function problems(source: Record<string, string | undefined>, cwd?: string): string[] {
  try {
    readEnv(source, cwd ? { cwd } : {});
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe("env", () => {
  it("in production, names every missing required setting", () => {
    const found = problems({ NODE_ENV: "production" });
    expect(found).toHaveLength(5);
    expect(found.join("\n")).toMatch(/HERENOW_SECRET is missing/);
    expect(found.join("\n")).toMatch(/HERENOW_SESSION_SECRET is missing/);
    expect(found.join("\n")).toMatch(/HERENOW_PARTY_HOST is missing/);
    expect(found.join("\n")).toMatch(/HERENOW_ADMIN_PASSWORD is missing: .*or HERENOW_ADMIN=off/);
    expect(found.join("\n")).toMatch(/DATABASE_URL is missing: set it to your Postgres database/);
    // on Vercel the cron needs its secret too, and the message says where to set them all
    const onVercel = problems({ NODE_ENV: "production", VERCEL: "1" });
    expect(onVercel).toHaveLength(6);
    expect(onVercel.join("\n")).toMatch(/CRON_SECRET is missing: Vercel Cron calls \/api\/cron\/prune/);
    expect(() => readEnv({ NODE_ENV: "production", VERCEL: "1" })).toThrow(
      /Set them in the Vercel project \(Settings → Environment Variables\) and redeploy/,
    );
    expect(() => readEnv({ NODE_ENV: "production" })).toThrow(/Set them in the server's environment/);
  });

  it("never falls back to the embedded database in production, and refuses PGlite on Vercel", () => {
    const { DATABASE_URL: _, ...withoutDatabase } = production;
    expect(problems(withoutDatabase)).toEqual([expect.stringMatching(/^DATABASE_URL is missing/)]);
    expect(problems({ ...withoutDatabase, DATABASE_URL: "  " })).toEqual([
      expect.stringMatching(/^DATABASE_URL is missing/),
    ]);
    // an embedded database chosen on purpose, on a disk that stays, is fine off Vercel
    expect(readEnv({ ...production, DATABASE_URL: "pglite:///var/lib/herenow" }).databaseUrl).toBe(
      "pglite:///var/lib/herenow",
    );
    expect(
      problems({ ...production, DATABASE_URL: "pglite:///var/lib/herenow", VERCEL: "1", CRON_SECRET: "c".repeat(20) }),
    ).toEqual([
      expect.stringMatching(/^DATABASE_URL is pglite:\/\/\/var\/lib\/herenow, but Vercel's file system is read-only/),
    ]);
  });

  it("turns the admin page off in production only when told to", () => {
    const { HERENOW_ADMIN_PASSWORD: _, ...withoutAdmin } = production;
    expect(readEnv({ ...withoutAdmin, HERENOW_ADMIN: "off" }).adminPassword).toBeNull();
    expect(readEnv({ ...production, HERENOW_ADMIN: "off" }).adminPassword).toBeNull();
    expect(readEnv(production).adminPassword).toBe("correct horse battery staple");
  });

  it("says to set a malformed database URL in production, and to leave it unset only in development", () => {
    const inProduction = problems({ ...production, DATABASE_URL: "mysql://root:hunter2@db/app" });
    expect(inProduction).toEqual([
      'DATABASE_URL mysql://root:***@db/app: Unsupported database URL "mysql://root:***@db/app": use pglite://memory, ' +
        "pglite://<directory> or postgres://user:password@host:5432/db; set it to your Postgres database " +
        "(on Vercel, add a Neon database under Storage: it sets DATABASE_URL)",
    ]);
    const { app } = fakeRepo();
    const development = { NODE_ENV: "development", HERENOW_SECRET: production.HERENOW_SECRET };
    const inDevelopment = problems({ ...development, DATABASE_URL: "mysql://root:hunter2@db/app" }, app);
    expect(inDevelopment.join("\n")).toMatch(/; or leave it unset for the embedded database in \.data\/pglite$/);
    expect(inDevelopment.join("\n")).not.toContain("hunter2");
  });

  it("names malformed settings", () => {
    const found = problems({
      ...production,
      HERENOW_SECRET: "short",
      HERENOW_PARTY_HOST: "not a host/",
      DATABASE_URL: "mysql://x",
      CRON_SECRET: "tiny",
      HERENOW_MAX_AGE_MS: "soon",
      HERENOW_ADMIN_PASSWORD: "admin",
      HERENOW_CLIENT_IP_HEADER: "X-Real-IP: 1",
    }).join("\n");
    for (const name of [
      "HERENOW_SECRET",
      "HERENOW_PARTY_HOST",
      "DATABASE_URL",
      "CRON_SECRET",
      "HERENOW_MAX_AGE_MS",
      "HERENOW_ADMIN_PASSWORD",
      "HERENOW_CLIENT_IP_HEADER",
    ]) {
      expect(found).toContain(name);
    }
  });

  it("holds the admin password to 12 characters in development too", () => {
    const { app } = fakeRepo();
    const development = { NODE_ENV: "development", HERENOW_SECRET: production.HERENOW_SECRET };
    expect(problems({ ...development, HERENOW_ADMIN_PASSWORD: "admin" }, app)).toEqual([
      "HERENOW_ADMIN_PASSWORD is too short: use at least 12 characters, or HERENOW_ADMIN=off",
    ]);
    expect(problems({ ...development, HERENOW_ADMIN_PASSWORD: "twelve chars" }, app)).toEqual([]);
  });

  it("reads a complete production configuration", () => {
    const settings = readEnv({
      ...production,
      DATABASE_URL: "",
      POSTGRES_URL: "postgres://u:p@db/x",
      CRON_SECRET: "c".repeat(20),
      VERCEL: "1",
    });
    expect(settings).toMatchObject({
      mode: "production",
      partyHost: "herenow.example.workers.dev",
      partyOrigin: "https://herenow.example.workers.dev",
      databaseUrl: "postgres://u:p@db/x",
      adminPassword: "correct horse battery staple",
      cronSecret: "c".repeat(20),
      maxAgeMs: 60_000,
      clientAddress: { from: "vercel" },
    });
    // the login limit's client address: the socket off Vercel, or the header the proxy in front sets
    expect(readEnv(production).clientAddress).toEqual({ from: "socket" });
    expect(readEnv({ ...production, HERENOW_CLIENT_IP_HEADER: "X-Real-IP" }).clientAddress).toEqual({
      from: "header",
      name: "x-real-ip",
    });
    expect(readEnv({ ...production, NEXT_PUBLIC_HERENOW_PARTY_HOST: "x.dev", HERENOW_PARTY_HOST: "" }).partyHost).toBe(
      "x.dev",
    );
  });

  it("in development, shares the party's secret file at the repository root and defaults the rest", () => {
    const { root, app } = fakeRepo();
    const settings = readEnv({ NODE_ENV: "development" }, { cwd: app });
    expect(settings.repoRoot).toBe(root);
    expect(settings.secret).toBe(readFileSync(join(root, ".data", "dev-secret"), "utf8").trim());
    expect(settings.sessionSecret).toHaveLength(64);
    expect(settings.sessionSecret).not.toBe(settings.secret);
    expect(settings.partyHost).toBe("127.0.0.1:1999");
    expect(settings.partyOrigin).toBe("http://127.0.0.1:1999");
    expect(settings.databaseUrl).toBe(`pglite://${join(root, ".data", "pglite")}`);
    // a second start reads the same secret
    expect(readEnv({ NODE_ENV: "development" }, { cwd: app }).secret).toBe(settings.secret);
  });

  it("documents every variable it reads in .env.example", () => {
    const appDir = join(import.meta.dirname, "..", "..");
    const source = readFileSync(join(appDir, "src", "env.ts"), "utf8");
    const read = new Set([...source.matchAll(/(?:value\("|source\.)([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]));
    // read through @herenow/db's dbUrlFromEnv, not by name in env.ts
    if (source.includes("dbUrlFromEnv(source)")) for (const name of ["DATABASE_URL", "POSTGRES_URL"]) read.add(name);
    // set by the platform, not by whoever deploys
    read.delete("NODE_ENV");
    read.delete("VERCEL");
    expect(read.size).toBeGreaterThanOrEqual(9);
    const example = readFileSync(join(appDir, ".env.example"), "utf8");
    const documented = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });
});
