import "server-only";
import { errors, jwtVerify, SignJWT } from "jose";
import * as v from "valibot";
import { env } from "@/env";
import { DisplayName } from "@/lib/display-name";
import { type CookieOptions, readCookie, serializeCookie } from "./http";

/** The session cookie's name. */
export const SESSION_COOKIE = "herenow_session";
const AUDIENCE = "herenow-web-session";
const LIFETIME_SECONDS = 30 * 24 * 60 * 60;

/** A signed-in visitor: a random id chosen at sign-in and the name they typed. */
export interface SessionUser {
  id: string;
  name: string;
}

const Claims = v.object({ sub: v.pipe(v.string(), v.regex(/^u_[A-Za-z0-9-]{8,64}$/)), name: DisplayName });

function key(): Uint8Array {
  return new TextEncoder().encode(env().sessionSecret);
}

/**
 * A new user with a random id.
 *
 * @example newUser("Ann") // { id: "u_5f0c…", name: "Ann" }
 */
export function newUser(name: string): SessionUser {
  return { id: `u_${crypto.randomUUID()}`, name };
}

/**
 * The `Set-Cookie` value that signs a user in: a JWT (HS256 with the session
 * secret) in an `HttpOnly`, `SameSite=Lax` cookie.
 */
export async function sessionCookie(user: SessionUser, options: { secure: boolean }): Promise<string> {
  const jwt = await new SignJWT({ name: user.name })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.id)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key());
  return serializeCookie(SESSION_COOKIE, jwt, cookieOptions(LIFETIME_SECONDS, options.secure));
}

/** The `Set-Cookie` value that signs out. */
export function clearSessionCookie(options: { secure: boolean }): string {
  return serializeCookie(SESSION_COOKIE, "", cookieOptions(0, options.secure));
}

/**
 * The signed-in user of a request, from its `Cookie` header; `null` for an
 * anonymous visitor or a cookie that is forged, expired or malformed.
 *
 * @example
 * const user = await sessionFromCookieHeader(request.headers.get("cookie"));
 */
export async function sessionFromCookieHeader(header: string | null): Promise<SessionUser | null> {
  return verifySession(readCookie(header, SESSION_COOKIE));
}

/** Checks a session cookie's value. */
export async function verifySession(value: string | null | undefined): Promise<SessionUser | null> {
  if (!value) return null;
  try {
    const { payload } = await jwtVerify(value, key(), { algorithms: ["HS256"], audience: AUDIENCE });
    const claims = v.safeParse(Claims, payload);
    return claims.success ? { id: claims.output.sub, name: claims.output.name } : null;
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

function cookieOptions(maxAgeSeconds: number, secure: boolean): CookieOptions {
  return { maxAgeSeconds, secure, sameSite: "Lax" };
}
