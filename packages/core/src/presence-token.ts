import { SignJWT } from "jose";
import type { JsonObject } from "./protocol";
import { LIMITS } from "./protocol";
import { checkTokenClaims } from "./token-claims";

/** Who a presence token speaks for: the protocol's `sub`, `name` and `info` claims. */
export interface PresenceTokenUser {
  /** Stable user id (`sub`), 1 to 128 characters; tabs of one user share it. */
  id: string;
  /** Display name, 1 to 64 characters after `normalizeDisplayName`. */
  name: string;
  /** Public profile shown to the room (avatar, colour…), a JSON object of at most 1 KiB. */
  info?: JsonObject | undefined;
}

/** Options of {@link createPresenceToken}. */
export interface CreatePresenceTokenOptions {
  /** The party's `HERENOW_SECRET`, at least 32 bytes. */
  secret: string;
  user: PresenceTokenUser;
  /** Rooms the token admits; leave it out for a token good in every room. */
  rooms?: readonly string[] | undefined;
  /** Lifetime in seconds, 1 to 86,400. Default 600; the hook fetches a new token at 75% of it. */
  expiresIn?: number | undefined;
  /** The time to sign at, in ms since the epoch. Default `Date.now()`. */
  now?: number | undefined;
}

/** A signed token and when it stops being accepted (ms since the epoch). */
export interface PresenceToken {
  token: string;
  expiresAt: number;
}

/** The default lifetime of a minted token, in seconds. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 10 * 60;

/**
 * Mints the protocol's token for a user: a JWT signed with HS256 and the
 * party's secret, claims `sub`, `name`, `info`, `rooms`, `iat`, `exp`. Runs
 * wherever Web Crypto does (Node 22 and 24, Next route handlers, Workers, Deno,
 * Bun). Inputs a room would refuse (a short secret, a name with nothing
 * visible or with a direction override such as U+202E, an oversized `info`,
 * a hostile room name, a lifetime over 24 hours) throw a `RangeError` here
 * instead of minting a token that fails on connect. The name is signed as
 * `normalizeDisplayName` leaves it (NFC, invisible characters stripped).
 *
 * @example
 * // app/api/herenow/token/route.ts: the visitor's token for ?room=<room>
 * export async function GET(request: Request) {
 *   const user = await currentUser(request); // your auth
 *   if (!user) return new Response("sign in first", { status: 401 });
 *   const room = new URL(request.url).searchParams.get("room") ?? "";
 *   return Response.json(await createPresenceToken({ secret: process.env.HERENOW_SECRET!, user, rooms: [room] }));
 * }
 */
export async function createPresenceToken(options: CreatePresenceTokenOptions): Promise<PresenceToken> {
  const { secret, user, rooms } = options;
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < LIMITS.minSecretBytes) {
    throw new RangeError(`createPresenceToken: the secret must be at least ${LIMITS.minSecretBytes} bytes long`);
  }
  const lifetime = options.expiresIn ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > LIMITS.maxTokenLifetimeSeconds) {
    throw new RangeError(
      `createPresenceToken: expiresIn must be a whole number of seconds from 1 to ${LIMITS.maxTokenLifetimeSeconds}, got ${lifetime}`,
    );
  }
  const nowMs = options.now ?? Date.now();
  const issuedAt = Math.floor(nowMs / 1000);
  const claims = {
    sub: user.id,
    name: user.name,
    ...(user.info === undefined ? {} : { info: user.info }),
    ...(rooms === undefined ? {} : { rooms: [...rooms] }),
    exp: issuedAt + lifetime,
  };
  const checked = checkTokenClaims(claims, nowMs);
  if (!checked.ok) throw new RangeError(`createPresenceToken: ${inOptionTerms(checked.reason)}`);
  // the name as rooms will show it (normalised, invisible characters stripped), so the token says what they show
  const { sub, exp, ...rest } = { ...claims, name: checked.identity.name };
  const token = await new SignJWT(rest)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: exp * 1000 };
}

/** A claims problem in the words of this function's options: `sub` is `user.id`, and so on. */
function inOptionTerms(reason: string): string {
  return reason
    .replace(/^token claims: /, "")
    .replace("`sub`", "`user.id`")
    .replace("`name`", "`user.name`")
    .replace("`info`", "`user.info`");
}
