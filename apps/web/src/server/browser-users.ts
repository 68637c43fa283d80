import "server-only";
import { errors, jwtVerify, SignJWT } from "jose";
import * as v from "valibot";
import { env } from "@/env";
import { type CookieOptions, readCookie, serializeCookie } from "./http";

/**
 * The cookie in which a browser remembers every demo user it has signed in
 * as. The demo's users are anonymous (a fresh random id at each sign-in), so
 * a ban on a user id alone ends at the next sign-out and sign-in under a new
 * name; the token route refuses a room's token to a browser any of whose
 * users is banned there (`bannedUserOf`). Signed with the session secret, so
 * it can be deleted (clearing cookies, another browser, a private window:
 * the admin's ban dialog says so) but not edited. Sign-out leaves it alone.
 */
const BROWSER_COOKIE = "herenow_browser";
const AUDIENCE = "herenow-web-browser";
/** The longest a browser keeps a cookie (Chromium caps `Max-Age` at 400 days). */
const LIFETIME_SECONDS = 400 * 24 * 60 * 60;
/**
 * The most user ids one browser remembers, the newest kept: about 2 KB of
 * cookie. Signing in 50 times to shed a ban is more work than clearing cookies.
 */
const MAX_BROWSER_USERS = 50;

const UserId = v.pipe(v.string(), v.regex(/^u_[A-Za-z0-9-]{8,64}$/));
const Claims = v.object({ users: v.array(UserId) });

function key(): Uint8Array {
  return new TextEncoder().encode(env().sessionSecret);
}

/**
 * The user ids this browser has signed in as, oldest first; `[]` without the
 * cookie or with one that is forged, expired or malformed.
 *
 * @example
 * const users = await browserUsersFromCookieHeader(request.headers.get("cookie"));
 */
export async function browserUsersFromCookieHeader(header: string | null): Promise<string[]> {
  const value = readCookie(header, BROWSER_COOKIE);
  if (!value) return [];
  try {
    const { payload } = await jwtVerify(value, key(), { algorithms: ["HS256"], audience: AUDIENCE });
    const claims = v.safeParse(Claims, payload);
    return claims.success ? claims.output.users : [];
  } catch (error) {
    if (error instanceof errors.JOSEError) return [];
    throw error;
  }
}

/**
 * The `Set-Cookie` value that adds `userId` to what the request's browser
 * remembers, or `null` when it is remembered already (nothing to write).
 *
 * @example
 * const remembered = await rememberBrowserUser(request.headers.get("cookie"), user.id, { secure });
 * if (remembered) headers.append("set-cookie", remembered);
 */
export async function rememberBrowserUser(
  header: string | null,
  userId: string,
  options: { secure: boolean },
): Promise<string | null> {
  const users = await browserUsersFromCookieHeader(header);
  if (users.includes(userId)) return null;
  const remembered = [...users, userId].slice(-MAX_BROWSER_USERS);
  const jwt = await new SignJWT({ users: remembered })
    .setProtectedHeader({ alg: "HS256" })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key());
  // only the API routes read it (sign-in, sign-out, the token route): pages need not carry 2 KB
  const cookie: CookieOptions = {
    maxAgeSeconds: LIFETIME_SECONDS,
    secure: options.secure,
    sameSite: "Lax",
    path: "/api",
  };
  return serializeCookie(BROWSER_COOKIE, jwt, cookie);
}

/**
 * The ban that keeps this visitor out of a room: the signed-in user's own,
 * or that of another user the same browser signed in as before. The latest
 * ending one when there are several; `null` when none is in force.
 *
 * @example
 * const ban = bannedUserOf(bans, user.id, await browserUsersFromCookieHeader(cookieHeader), Date.now());
 */
export function bannedUserOf<Ban extends { userId: string; until: number }>(
  bans: readonly Ban[],
  userId: string,
  browserUsers: readonly string[],
  now: number,
): Ban | null {
  let found: Ban | null = null;
  for (const ban of bans) {
    if (ban.until <= now || (ban.userId !== userId && !browserUsers.includes(ban.userId))) continue;
    if (found === null || ban.until > found.until) found = ban;
  }
  return found;
}
