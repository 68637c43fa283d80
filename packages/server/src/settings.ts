import { DEFAULTS, LIMITS, SETTING_MINIMUMS as MIN, WEBHOOK_PART_BYTES } from "@herenow/core";

/** A room's settings, read from the party's env (`HERENOW_*` variables). */
export interface RoomSettings {
  /** HS256 key for tokens and the bearer secret of the room's HTTP API. */
  secret: string;
  maxAgeMs: number;
  /**
   * The max age of a `hidden` connection (`HERENOW_HIDDEN_MAX_AGE_MS`, default 180 s, never less
   * than the max age: a smaller value is raised to it). Browsers throttle hidden pages' timers.
   */
  hiddenMaxAgeMs: number;
  /** How long a room remembers who left, for `recent` (`HERENOW_RECENT_MS`, default 10 minutes; 0 turns it off). */
  recentMs: number;
  leaveGraceMs: number;
  /**
   * The grace of a 1001 close, a reload or a closed tab (`HERENOW_AWAY_GRACE_MS`, default 1.5 s,
   * never longer than the leave grace: a larger value is cut to it).
   */
  awayGraceMs: number;
  /** Whether connections without a token are let in. */
  anonymous: boolean;
  /** Where room events are posted (`HERENOW_WEBHOOK_URL`); `null` delivers nothing. */
  webhookUrl: string | null;
  /** How long events wait to go out together (`HERENOW_WEBHOOK_BATCH_MS`, default 500). */
  webhookBatchMs: number;
  /** The largest webhook body; a larger batch goes in parts (`HERENOW_WEBHOOK_PART_BYTES`, default and most 1 MiB). */
  webhookPartBytes: number;
  /** Users above which connections that ask for a window get one (`HERENOW_WINDOW_THRESHOLD`, default 500). */
  windowThreshold: number;
  /**
   * Rooms spread over shard objects (`HERENOW_SHARDED_ROOMS`: names, or
   * prefixes ending in `*`, comma-separated; default none). See `shards.ts`.
   */
  shardedRooms: string[];
  /** How many shard objects a sharded room spreads over (`HERENOW_SHARDS`, default 8, 2 to 256). */
  shards: number;
}

/** A setting that is missing or malformed; the message names the variable and how to fix it. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** The shortest secret the protocol accepts, in bytes. */
const MIN_SECRET_BYTES = LIMITS.minSecretBytes;

function text(env: object, name: string): string | undefined {
  const value: unknown = Reflect.get(env, name);
  if (value === undefined || value === null || value === "") return undefined;
  return typeof value === "string" ? value.trim() : String(value);
}

function wholeNumber(env: object, name: string, fallback: number, min: number, unit: string): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new SettingsError(name, `expected a whole number of ${unit} ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function milliseconds(env: object, name: string, fallback: number, min: number): number {
  return wholeNumber(env, name, fallback, min, "milliseconds");
}

function flag(env: object, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["1", "true", "yes", "on", "allow", "allowed"].includes(raw)) return true;
  if (["0", "false", "no", "off", "deny", "denied"].includes(raw)) return false;
  throw new SettingsError(name, `expected true or false, got ${JSON.stringify(raw)}`);
}

/** The smallest part budget: a part's header and one connection must fit. */
const MIN_PART_BYTES = 512;

function partBytes(env: object): number {
  const value = wholeNumber(env, "HERENOW_WEBHOOK_PART_BYTES", WEBHOOK_PART_BYTES, MIN_PART_BYTES, "bytes");
  if (value > WEBHOOK_PART_BYTES) {
    throw new SettingsError(
      "HERENOW_WEBHOOK_PART_BYTES",
      `at most ${WEBHOOK_PART_BYTES} (1 MiB): a room stores each part as one value, and hosts cap request bodies; got ${value}`,
    );
  }
  return value;
}

/**
 * Reads and checks the `HERENOW_*` settings. Throws a `SettingsError` that
 * names the variable when one is missing or malformed: a party without a
 * proper secret must not run, since anyone could then sign tokens.
 *
 * @example
 * const settings = readSettings(room.env); // throws if HERENOW_SECRET is unset
 */
export function readSettings(env: object): RoomSettings {
  const secret = text(env, "HERENOW_SECRET");
  if (secret === undefined) {
    throw new SettingsError(
      "HERENOW_SECRET",
      "is not set. In development `npm run dev` generates one; in production run `npx wrangler secret put HERENOW_SECRET`.",
    );
  }
  if (new TextEncoder().encode(secret).byteLength < MIN_SECRET_BYTES) {
    throw new SettingsError("HERENOW_SECRET", `must be at least ${MIN_SECRET_BYTES} bytes long`);
  }
  const webhookUrl = text(env, "HERENOW_WEBHOOK_URL") ?? null;
  if (webhookUrl !== null && !/^https?:\/\//.test(webhookUrl)) {
    throw new SettingsError("HERENOW_WEBHOOK_URL", `expected an http(s) URL, got ${JSON.stringify(webhookUrl)}`);
  }
  const leaveGraceMs = milliseconds(env, "HERENOW_LEAVE_GRACE_MS", DEFAULTS.leaveGraceMs, MIN.leaveGraceMs);
  const maxAgeMs = milliseconds(env, "HERENOW_MAX_AGE_MS", DEFAULTS.maxAgeMs, MIN.maxAgeMs);
  return {
    secret,
    maxAgeMs,
    hiddenMaxAgeMs: Math.max(
      milliseconds(env, "HERENOW_HIDDEN_MAX_AGE_MS", DEFAULTS.hiddenMaxAgeMs, MIN.hiddenMaxAgeMs),
      maxAgeMs,
    ),
    recentMs: milliseconds(env, "HERENOW_RECENT_MS", DEFAULTS.recentMs, MIN.recentMs),
    leaveGraceMs,
    awayGraceMs: Math.min(
      milliseconds(env, "HERENOW_AWAY_GRACE_MS", DEFAULTS.awayGraceMs, MIN.awayGraceMs),
      leaveGraceMs,
    ),
    anonymous: flag(env, "HERENOW_ANONYMOUS", true),
    webhookUrl,
    webhookBatchMs: milliseconds(env, "HERENOW_WEBHOOK_BATCH_MS", 500, MIN.webhookBatchMs),
    webhookPartBytes: partBytes(env),
    windowThreshold: wholeNumber(
      env,
      "HERENOW_WINDOW_THRESHOLD",
      DEFAULTS.windowThreshold,
      MIN.windowThreshold,
      "users",
    ),
    shardedRooms: shardPatterns(env),
    shards: shardCount(env),
  };
}

/** The most shards a room may have: the coordinator sends each diff to each of them. */
const MAX_SHARDS = 256;

function shardCount(env: object): number {
  const value = wholeNumber(env, "HERENOW_SHARDS", 8, 2, "shards");
  if (value > MAX_SHARDS) throw new SettingsError("HERENOW_SHARDS", `at most ${MAX_SHARDS}, got ${value}`);
  return value;
}

function shardPatterns(env: object): string[] {
  const raw = text(env, "HERENOW_SHARDED_ROOMS");
  if (raw === undefined) return [];
  const patterns = raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  for (const pattern of patterns) {
    const name = pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;
    if ((name !== "" || pattern !== "*") && !/^[A-Za-z0-9_.-]+$/.test(name)) {
      throw new SettingsError(
        "HERENOW_SHARDED_ROOMS",
        `expected room names or prefixes ending in *, comma-separated; got ${JSON.stringify(pattern)}`,
      );
    }
  }
  return patterns;
}
