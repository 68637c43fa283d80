import "server-only";
import { createHmac, randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { env } from "@/env";
import { readCookie, serializeCookie } from "./http";
import { secretEquals } from "./secret-equal";
import { type WebDb, webDb } from "./web-db";

/** The admin session cookie's name. */
export const ADMIN_COOKIE = "herenow_admin";
const AUDIENCE = "herenow-web-admin";
const LIFETIME_SECONDS = 8 * 60 * 60;

/** The cookie of a browser that has logged in as admin before: its logins skip the global limit. */
export const ADMIN_DEVICE_COOKIE = "herenow_admin_device";
const DEVICE_AUDIENCE = "herenow-web-admin-device";
/** 400 days, the longest a browser keeps a cookie. */
const DEVICE_LIFETIME_SECONDS = 400 * 24 * 60 * 60;
/** Sent only to the login route, the one place that reads it. */
const DEVICE_COOKIE_PATH = "/api/admin/session";

function key(): Uint8Array {
  return new TextEncoder().encode(env().sessionSecret);
}

/**
 * A fingerprint of the admin password in the session, so changing
 * `HERENOW_ADMIN_PASSWORD` signs every admin out (on each server as it
 * restarts with the new password).
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

/**
 * The `Set-Cookie` value of a fresh admin session (`SameSite=Strict`: no
 * other site ever carries it here). The cookie names a session row in the
 * database, which logout deletes: a signature alone cannot be taken back,
 * and a row every server instance reads can.
 */
export async function adminCookie(options: { secure: boolean }): Promise<string> {
  const password = env().adminPassword;
  if (password === null) throw new Error("HERENOW_ADMIN_PASSWORD is not set: there is no admin session to open");
  const id = await openAdminSession(await webDb());
  const jwt = await signAdminToken(password, AUDIENCE, id, LIFETIME_SECONDS);
  return serializeCookie(ADMIN_COOKIE, jwt, {
    maxAgeSeconds: LIFETIME_SECONDS,
    secure: options.secure,
    sameSite: "Strict",
  });
}

/**
 * The `Set-Cookie` value that marks this browser as one that knew the admin
 * password (under the current password), set by every successful login and
 * kept by logout. A login from it is limited on its own (`device:<id>`) and
 * not by the global limit, so wrong guesses from elsewhere cannot lock the
 * admin out.
 */
export async function adminDeviceCookie(options: { secure: boolean }): Promise<string> {
  const password = env().adminPassword;
  if (password === null) throw new Error("HERENOW_ADMIN_PASSWORD is not set: there is no admin to remember");
  const jwt = await signAdminToken(password, DEVICE_AUDIENCE, randomUUID(), DEVICE_LIFETIME_SECONDS);
  return serializeCookie(ADMIN_DEVICE_COOKIE, jwt, {
    maxAgeSeconds: DEVICE_LIFETIME_SECONDS,
    secure: options.secure,
    sameSite: "Strict",
    path: DEVICE_COOKIE_PATH,
  });
}

/**
 * The login-limit bucket of a request from a browser that has logged in as
 * admin before (`device:<id>` from its device cookie, or `session:<id>` from
 * an admin session still open), or `null` for any other.
 *
 * @example
 * const known = await knownAdminBrowser(request); // "device:6f1c…" or null
 */
export async function knownAdminBrowser(request: Request): Promise<string | null> {
  const cookies = request.headers.get("cookie");
  const device = await verifiedJti(readCookie(cookies, ADMIN_DEVICE_COOKIE), DEVICE_AUDIENCE);
  if (device !== null) return `device:${device}`;
  const session = await adminSessionId(readCookie(cookies, ADMIN_COOKIE));
  return session !== null && (await isOpenAdminSession(await webDb(), session)) ? `session:${session}` : null;
}

/** The `Set-Cookie` value that ends the admin session in the browser (see `endAdminSession` for the server). */
export function clearAdminCookie(options: { secure: boolean }): string {
  return serializeCookie(ADMIN_COOKIE, "", { maxAgeSeconds: 0, secure: options.secure, sameSite: "Strict" });
}

/**
 * Whether a cookie value is a valid admin session: signed by us, for the
 * current password, and not logged out.
 *
 * @example
 * if (!(await isAdminSession(readCookie(request.headers.get("cookie"), ADMIN_COOKIE)))) return problem(401, "…");
 */
export async function isAdminSession(value: string | null | undefined): Promise<boolean> {
  const id = await adminSessionId(value);
  return id !== null && isOpenAdminSession(await webDb(), id);
}

/** Whether a request's `Cookie` header carries a valid admin session. */
export function isAdminRequest(request: Request): Promise<boolean> {
  return isAdminSession(readCookie(request.headers.get("cookie"), ADMIN_COOKIE));
}

/**
 * Logs out the admin session a request's cookie names, on every server at
 * once: a copy of the cookie is refused from then on. A cookie that is not
 * a valid session ends nothing.
 */
export async function endAdminSession(request: Request): Promise<void> {
  const id = await adminSessionId(readCookie(request.headers.get("cookie"), ADMIN_COOKIE));
  if (id !== null) await closeAdminSession(await webDb(), id);
}

/** A token of ours for `audience`, named `jti` and stamped with the password, which `verifiedJti` reads back. */
function signAdminToken(password: string, audience: string, jti: string, lifetimeSeconds: number): Promise<string> {
  return new SignJWT({ pw: passwordStamp(password) })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("admin")
    .setAudience(audience)
    .setJti(jti)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(key());
}

/** The session id of a cookie signed by us for the current password, or `null`. */
function adminSessionId(value: string | null | undefined): Promise<string | null> {
  return verifiedJti(value, AUDIENCE);
}

/** The `jti` of a token of ours for `audience`, signed under the current password, or `null`. */
async function verifiedJti(value: string | null | undefined, audience: string): Promise<string | null> {
  const password = env().adminPassword;
  if (!value || password === null) return null;
  try {
    const { payload } = await jwtVerify(value, key(), { algorithms: ["HS256"], audience, subject: "admin" });
    if (payload.pw !== passwordStamp(password) || typeof payload.jti !== "string") return null;
    return payload.jti;
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** Opens a session row good for the cookie's lifetime, clearing out expired ones on the way. */
async function openAdminSession(db: WebDb, now = new Date()): Promise<string> {
  const id = randomUUID();
  await db.deleteFrom("herenow_web_admin_sessions").where("expires_at", "<=", now).execute();
  await db
    .insertInto("herenow_web_admin_sessions")
    .values({ id, created_at: now, expires_at: new Date(now.getTime() + LIFETIME_SECONDS * 1000) })
    .execute();
  return id;
}

/** Whether a session row exists and has not expired. */
async function isOpenAdminSession(db: WebDb, id: string, now = new Date()): Promise<boolean> {
  const row = await db
    .selectFrom("herenow_web_admin_sessions")
    .select("id")
    .where("id", "=", id)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes a session row (logout). */
async function closeAdminSession(db: WebDb, id: string): Promise<void> {
  await db.deleteFrom("herenow_web_admin_sessions").where("id", "=", id).execute();
}
