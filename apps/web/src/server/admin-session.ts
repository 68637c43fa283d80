import { createHmac } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { env } from "../env";
import { readCookie, serializeCookie } from "./http";
import { secretEquals } from "./secret-equal";

/** The admin session cookie's name. */
export const ADMIN_COOKIE = "herenow_admin";
const AUDIENCE = "herenow-web-admin";
const LIFETIME_SECONDS = 8 * 60 * 60;

function key(): Uint8Array {
  return new TextEncoder().encode(env().sessionSecret);
}

/**
 * A fingerprint of the admin password in the session, so changing
 * `HERENOW_ADMIN_PASSWORD` signs every admin out.
 */
function passwordStamp(password: string): string {
  return createHmac("sha256", env().sessionSecret).update(password).digest("hex").slice(0, 32);
}

/**
 * Whether `given` is the admin password, compared in constant time (both
 * sides hashed first, so their lengths leak nothing either). Always false
 * when no password is configured.
 */
export function isAdminPassword(given: string): boolean {
  const password = env().adminPassword;
  if (password === null) return false;
  return secretEquals(given, password);
}

/** The `Set-Cookie` value of a fresh admin session (`SameSite=Strict`: no other site ever carries it here). */
export async function adminCookie(options: { secure: boolean }): Promise<string> {
  const password = env().adminPassword;
  if (password === null) throw new Error("HERENOW_ADMIN_PASSWORD is not set: there is no admin session to open");
  const jwt = await new SignJWT({ pw: passwordStamp(password) })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("admin")
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key());
  return serializeCookie(ADMIN_COOKIE, jwt, {
    maxAgeSeconds: LIFETIME_SECONDS,
    secure: options.secure,
    sameSite: "Strict",
  });
}

/** The `Set-Cookie` value that ends the admin session. */
export function clearAdminCookie(options: { secure: boolean }): string {
  return serializeCookie(ADMIN_COOKIE, "", { maxAgeSeconds: 0, secure: options.secure, sameSite: "Strict" });
}

/**
 * Whether a cookie value is a valid admin session for the current password.
 *
 * @example
 * if (!(await isAdminSession(readCookie(request.headers.get("cookie"), ADMIN_COOKIE)))) return problem(401, "…");
 */
export async function isAdminSession(value: string | null | undefined): Promise<boolean> {
  const password = env().adminPassword;
  if (!value || password === null) return false;
  try {
    const { payload } = await jwtVerify(value, key(), { algorithms: ["HS256"], audience: AUDIENCE, subject: "admin" });
    return payload.pw === passwordStamp(password);
  } catch (error) {
    if (error instanceof errors.JOSEError) return false;
    throw error;
  }
}

/** Whether a request's `Cookie` header carries a valid admin session. */
export function isAdminRequest(request: Request): Promise<boolean> {
  return isAdminSession(readCookie(request.headers.get("cookie"), ADMIN_COOKIE));
}
