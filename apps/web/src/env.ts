// The one place the web app reads its configuration (create-t3-turbo's
// `src/env.ts`): every setting is validated here, once, and the rest of the
// code asks `env()`. In production a missing or malformed setting stops the
// server at start (see `instrumentation.ts`) with a message naming it and
// where to set it; every variable is described in `.env.example`.
import "server-only";
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DEFAULTS, LIMITS, SETTING_MINIMUMS } from "@herenow/core";
import { dbUrlFromEnv, parseDbUrl, redactDbUrl } from "@herenow/db";
import { readOrCreateDevSecret } from "../../../scripts/dev-secret-file.mjs";

/** The validated settings of the web app. */
export interface ServerEnv {
  mode: "development" | "production" | "test";
  /** `HERENOW_SECRET`: signs presence tokens, checks webhook signatures, guards the room HTTP API. */
  secret: string;
  /** `HERENOW_SESSION_SECRET` (derived from `HERENOW_SECRET` outside production): signs the session cookies. */
  sessionSecret: string;
  /** `HERENOW_ADMIN_PASSWORD`; `null` (`HERENOW_ADMIN=off`, or unset outside production) turns the admin page off. */
  adminPassword: string | null;
  /** `HERENOW_PARTY_HOST` / `NEXT_PUBLIC_HERENOW_PARTY_HOST`, `host[:port]` without a scheme. */
  partyHost: string;
  /** `http://` for local party hosts, `https://` otherwise (what partysocket picks for `ws`/`wss`). */
  partyOrigin: string;
  /** `DATABASE_URL`, else `POSTGRES_URL`, else (outside production) the embedded PGlite at `<repo>/.data/pglite`. */
  databaseUrl: string;
  /** Base for a relative `pglite://<dir>`: the repository root, so the working directory does not matter. */
  repoRoot: string;
  /** `CRON_SECRET` (required on Vercel in production); `null` makes `/api/cron/prune` refuse every request. */
  cronSecret: string | null;
  /** `HERENOW_MAX_AGE_MS`: what the prune buttons and the cron count as stale. */
  maxAgeMs: number;
  /**
   * Where a request's client address comes from, for the admin login limit
   * (`HERENOW_CLIENT_IP_HEADER`): Vercel's own header on Vercel, the socket
   * elsewhere, or the named header that the proxy in front sets.
   */
  clientAddress: ClientAddressSource;
}

/** See {@link ServerEnv.clientAddress}. */
export type ClientAddressSource = { from: "vercel" } | { from: "socket" } | { from: "header"; name: string };

/** The configuration is unusable; `problems` name each variable and how to fix it. */
export class EnvError extends Error {
  override readonly name = "EnvError";
  constructor(
    readonly problems: string[],
    /** Whether the settings were read for production, where a bad one must stop the server. */
    readonly production: boolean,
    /** Whether the app runs on Vercel, which decides where the message says to set them. */
    onVercel = false,
  ) {
    const where = onVercel
      ? "Set them in the Vercel project (Settings → Environment Variables) and redeploy."
      : production
        ? "Set them in the server's environment (or apps/web/.env.production.local) and start again."
        : "Set them in apps/web/.env.local (or the shell) and restart `npm run dev`.";
    super(
      `herenow web app configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}\n` +
        `${where} apps/web/.env.example lists every variable; docs/deploying.md walks through a deployment.`,
    );
  }
}

type Source = Record<string, string | undefined>;

const MIN_SECRET_BYTES = LIMITS.minSecretBytes;
/** The admin page's password, in characters, in every mode. */
export const MIN_ADMIN_PASSWORD = 12;
const DEFAULT_PARTY_HOST = "127.0.0.1:1999";
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/;
const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\])(:\d+)?$|\.local(:\d+)?$/;

/**
 * Reads and checks the settings from `source` (the process environment by
 * default). Pure apart from the development secret file, so tests can pass
 * their own source.
 *
 * @example
 * const { secret, partyHost } = readEnv({ NODE_ENV: "production", HERENOW_SECRET: "…", … });
 */
export function readEnv(source: Source, options: { cwd?: string } = {}): ServerEnv {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = source[name]?.trim();
    return raw ? raw : undefined;
  };
  const mode = source.NODE_ENV === "production" ? "production" : source.NODE_ENV === "test" ? "test" : "development";
  const production = mode === "production";
  // Vercel sets VERCEL=1 in builds and functions: its file system is read-only and thrown away, and its cron needs CRON_SECRET.
  const onVercel = source.VERCEL === "1";
  const repoRoot = findRepoRoot(options.cwd ?? process.cwd());

  let secret = value("HERENOW_SECRET") ?? "";
  if (!secret) {
    if (production)
      problems.push(
        "HERENOW_SECRET is missing: set it to the party's secret, the value given to `npx wrangler secret put HERENOW_SECRET` (make one with `openssl rand -hex 48`)",
      );
    else secret = developmentSecret(repoRoot);
  }
  if (secret && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    problems.push(`HERENOW_SECRET is too short: it needs at least ${MIN_SECRET_BYTES} bytes`);
  }

  let sessionSecret = value("HERENOW_SESSION_SECRET") ?? "";
  if (!sessionSecret) {
    if (production) {
      problems.push(
        "HERENOW_SESSION_SECRET is missing: set it to a random string of at least 32 bytes (e.g. `openssl rand -hex 32`)",
      );
    } else if (secret) {
      // Derived, so a development checkout needs no second secret; distinct, so a cookie never verifies as a token.
      sessionSecret = createHmac("sha256", secret).update("herenow web session").digest("hex");
    }
  } else if (Buffer.byteLength(sessionSecret) < MIN_SECRET_BYTES) {
    problems.push(`HERENOW_SESSION_SECRET is too short: it needs at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (sessionSecret && sessionSecret === secret) {
    problems.push("HERENOW_SESSION_SECRET must differ from HERENOW_SECRET");
  }

  const adminOff = value("HERENOW_ADMIN")?.toLowerCase() === "off";
  const adminPassword = adminOff ? null : (value("HERENOW_ADMIN_PASSWORD") ?? null);
  if (adminPassword === null && production && !adminOff) {
    problems.push(
      `HERENOW_ADMIN_PASSWORD is missing: set the /admin page's password (at least ${MIN_ADMIN_PASSWORD} characters), or HERENOW_ADMIN=off to deploy without it`,
    );
  }
  // one rule in every mode: a short password set in development would be deployed as it is
  if (adminPassword !== null && adminPassword.length < MIN_ADMIN_PASSWORD) {
    problems.push(
      `HERENOW_ADMIN_PASSWORD is too short: use at least ${MIN_ADMIN_PASSWORD} characters, or HERENOW_ADMIN=off`,
    );
  }

  const hostSetting = value("HERENOW_PARTY_HOST") ? "HERENOW_PARTY_HOST" : "NEXT_PUBLIC_HERENOW_PARTY_HOST";
  let partyHost = value(hostSetting) ?? "";
  if (!partyHost) {
    if (production) {
      problems.push(
        "HERENOW_PARTY_HOST is missing: set it to the host `npx wrangler deploy` printed for the party, e.g. herenow.<your-subdomain>.workers.dev (NEXT_PUBLIC_HERENOW_PARTY_HOST works too)",
      );
    } else partyHost = DEFAULT_PARTY_HOST;
  }
  partyHost = partyHost.replace(/^(https?|wss?):\/\//, "").replace(/\/+$/, "");
  if (partyHost && !HOST.test(partyHost)) {
    problems.push(`${hostSetting} must be host[:port] (e.g. 127.0.0.1:1999), got ${JSON.stringify(partyHost)}`);
  }

  // POSTGRES_URL too: Vercel's Neon integration sets both, and older Vercel Postgres projects only that one.
  const fromEnv = dbUrlFromEnv(source);
  const databaseSetting = fromEnv?.variable ?? null;
  const databaseUrl = fromEnv?.url ?? `pglite://${join(repoRoot, ".data", "pglite")}`;
  if (databaseSetting === null && production) {
    // The embedded database is for development: on Vercel its folder is read-only, and a
    // container loses it on every deploy, so production would fail at the first query instead.
    problems.push(
      "DATABASE_URL is missing: set it to your Postgres database, postgres://user:password@host:5432/db " +
        "(on Vercel, add a Neon database under Storage: it sets DATABASE_URL), " +
        "or to pglite://<directory> for an embedded database on a persistent disk",
    );
  }
  try {
    const target = parseDbUrl(databaseUrl, repoRoot);
    if (target.kind === "pglite" && databaseSetting !== null && production && onVercel) {
      problems.push(
        `${databaseSetting} is ${redactDbUrl(databaseUrl)}, but Vercel's file system is read-only and thrown away: ` +
          "set it to a Postgres URL (add a Neon database under Storage)",
      );
    }
  } catch (error) {
    // in production an unset URL is refused above, so only development may leave it out
    const fix = production
      ? "; set it to your Postgres database (on Vercel, add a Neon database under Storage: it sets DATABASE_URL)"
      : "; or leave it unset for the embedded database in .data/pglite";
    problems.push(
      // parseDbUrl's message hides the password itself, and quotes an example URL that must stay whole
      `${databaseSetting ?? "DATABASE_URL"} ${redactDbUrl(databaseUrl)}: ${(error as Error).message}${fix}`,
    );
  }

  const cronSecret = value("CRON_SECRET") ?? null;
  if (cronSecret === null && production && onVercel) {
    problems.push(
      "CRON_SECRET is missing: Vercel Cron calls /api/cron/prune with it (apps/web/vercel.json); set a random string of at least 16 characters",
    );
  }
  if (cronSecret !== null && cronSecret.length < 16) {
    problems.push("CRON_SECRET is too short: use at least 16 characters (Vercel generates one for you)");
  }

  const maxAgeText = value("HERENOW_MAX_AGE_MS") ?? String(DEFAULTS.maxAgeMs);
  const maxAgeMs = Number(maxAgeText);
  if (!Number.isInteger(maxAgeMs) || maxAgeMs < SETTING_MINIMUMS.maxAgeMs) {
    problems.push(
      `HERENOW_MAX_AGE_MS must be a whole number of milliseconds, at least ${SETTING_MINIMUMS.maxAgeMs}, got ${maxAgeText}`,
    );
  }

  const ipHeader = value("HERENOW_CLIENT_IP_HEADER")?.toLowerCase();
  const clientAddress: ClientAddressSource = ipHeader
    ? { from: "header", name: ipHeader }
    : onVercel
      ? { from: "vercel" }
      : { from: "socket" };
  if (ipHeader && !/^[a-z0-9-]{1,64}$/.test(ipHeader)) {
    problems.push(
      `HERENOW_CLIENT_IP_HEADER must be a header name such as x-real-ip or x-forwarded-for (the one your proxy sets), got ${JSON.stringify(ipHeader)}`,
    );
  }

  if (problems.length > 0) throw new EnvError(problems, production, onVercel);
  return {
    mode,
    secret,
    sessionSecret,
    adminPassword,
    partyHost,
    partyOrigin: `${LOCAL_HOST.test(partyHost) ? "http" : "https"}://${partyHost}`,
    databaseUrl,
    repoRoot,
    cronSecret,
    maxAgeMs,
    clientAddress,
  };
}

let cached: ServerEnv | null = null;

/**
 * The app's settings, read from the process environment on first use.
 * Throws an `EnvError` naming every missing or malformed variable.
 *
 * @example
 * const { partyHost } = env();
 */
export function env(): ServerEnv {
  cached ??= readEnv(process.env);
  return cached;
}

/** Forget the cached settings (tests that change the environment). */
export function resetEnv(): void {
  cached = null;
}

/**
 * The repository root: the nearest folder above `from` whose package.json
 * declares workspaces. The embedded database and the development secret
 * live under it, wherever `next` was started from.
 */
function findRepoRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // an unreadable package.json is no root marker; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}

/**
 * The development secret shared with `npm run dev` of the party: the same
 * file, read or created by the same function (scripts/dev-secret-file.mjs).
 */
function developmentSecret(repoRoot: string): string {
  return readOrCreateDevSecret(join(repoRoot, ".data", "dev-secret"), MIN_SECRET_BYTES);
}
