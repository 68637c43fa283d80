import { afterAll, describe, expect, it } from "vitest";
import { POST as adminSession } from "@/app/api/admin/session/route";
import { ADMIN_DEVICE_COOKIE } from "@/server/admin-session";
import { SOCKET_ADDRESS_HEADER } from "@/server/client-address";
import { closeDatabase } from "@/server/db";
import { ADMIN_LOGIN_LIMITS, beginAdminLogin, loginDelayMs } from "@/server/login-limit";
import { webDb } from "@/server/web-db";
import { formPost, request } from "./support";

const password = process.env.HERENOW_ADMIN_PASSWORD as string;
const { freeTries, firstDelayMs, maxDelayMs, forgetAfterMs, global } = ADMIN_LOGIN_LIMITS;

afterAll(closeDatabase);

/**
 * A script's JSON login from one socket address, as the app's server stamps
 * it (`stampSocketAddresses`), with whatever else the client chose to send.
 */
function login(address: string, given = "a wrong guess", headers: Record<string, string> = {}): Promise<Response> {
  return adminSession(
    request("/api/admin/session", {
      method: "POST",
      body: JSON.stringify({ intent: "login", password: given }),
      headers: { "content-type": "application/json", [SOCKET_ADDRESS_HEADER]: address, ...headers },
    }),
  );
}

function statuses(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

/** The `name=value` of one cookie a response sets. */
function setCookie(response: Response, name: string): string {
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith(`${name}=`));
  if (!cookie) throw new Error(`the response sets no ${name} cookie`);
  return cookie.split(";")[0] as string;
}

describe("admin login limits", () => {
  it("answers 429 with Retry-After to one client's parallel wrong passwords past its free tries", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => login("203.0.113.7")));
    expect(statuses(answers)).toEqual({ 401: freeTries, 429: 30 - freeTries });

    const limited = answers.find((answer) => answer.status === 429) as Response;
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    // (a second more for a request whose clock read a moment before the one that earned the wait)
    expect(retryAfter).toBeLessThanOrEqual(firstDelayMs / 1000 + 1);
    expect(((await limited.json()) as { error: string }).error).toBe(
      "too many failed admin logins (each wrong password from this address makes the next wait longer): try again in 1 min",
    );

    // the right password does not get through either, so guessing on is pointless
    const right = await login("203.0.113.7", password);
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie")).toBeNull();
    // a browser's form post goes back to the login page, which explains
    const form = await adminSession(
      formPost("/api/admin/session", { intent: "login", password }, { [SOCKET_ADDRESS_HEADER]: "203.0.113.7" }),
    );
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/admin/login?error=too_many_attempts&retry=1");
    // other clients are not held up; a login marks its browser, for the login route alone
    const other = await login("198.51.100.2", password);
    expect(other.status).toBe(200);
    const device = other.headers.getSetCookie().find((cookie) => cookie.startsWith(`${ADMIN_DEVICE_COOKIE}=`));
    expect(device).toMatch(/; Path=\/api\/admin\/session; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  });

  it("keys the limit by the socket address, not by an X-Forwarded-For or X-Real-IP the client wrote", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        login("192.0.2.200", "a wrong guess", {
          "x-forwarded-for": `198.18.7.${index}, 10.0.0.1`,
          "x-real-ip": `198.18.8.${index}`,
        }),
      ),
    );
    expect(statuses(answers)).toEqual({ 401: freeTries, 429: 20 - freeTries });
  });

  it("starts a client over after a successful login", async () => {
    const first = await Promise.all(Array.from({ length: freeTries - 1 }, () => login("192.0.2.9")));
    expect(statuses(first)).toEqual({ 401: freeTries - 1 });
    expect((await login("192.0.2.9", password)).status).toBe(200);

    const again = await Promise.all(Array.from({ length: freeTries + 1 }, () => login("192.0.2.9")));
    expect(statuses(again)).toEqual({ 401: freeTries, 429: 1 });
  });

  it("makes a client wait twice as long after each failure past its free tries, and forgets it after a quiet day", async () => {
    const db = await webDb();
    const bucket = "client:delay-test";
    const t0 = Date.now() - 2 * forgetAfterMs;
    const at = (ms: number) => ({ global: false, now: new Date(t0 + ms) });
    for (let attempt = 0; attempt < freeTries; attempt++) {
      expect(await beginAdminLogin(db, bucket, at(0))).toEqual({ allowed: true });
    }
    expect(await beginAdminLogin(db, bucket, at(0))).toEqual({
      allowed: false,
      scope: "client",
      retryAfterSeconds: firstDelayMs / 1000,
    });
    // the wait over, one more try, which doubles the next wait
    expect(await beginAdminLogin(db, bucket, at(firstDelayMs))).toEqual({ allowed: true });
    expect(await beginAdminLogin(db, bucket, at(firstDelayMs + 1000))).toEqual({
      allowed: false,
      scope: "client",
      retryAfterSeconds: (2 * firstDelayMs) / 1000 - 1,
    });
    expect(loginDelayMs(freeTries + 1)).toBe(2 * firstDelayMs);
    expect(loginDelayMs(freeTries + 20)).toBe(maxDelayMs);
    // a day after the last wait ended, the client starts over with its free tries
    const quiet = 3 * firstDelayMs + forgetAfterMs;
    for (let attempt = 0; attempt < freeTries; attempt++) {
      expect(await beginAdminLogin(db, bucket, at(quiet))).toEqual({ allowed: true });
    }
    expect((await beginAdminLogin(db, bucket, at(quiet))).allowed).toBe(false);
  });

  // last: it leaves every new client of this file locked out
  it("limits failed logins from all new clients together, but never locks out a browser that logged in before", async () => {
    // the admin logs in once from this browser, then logs out
    const admin = await login("192.0.2.50", password);
    expect(admin.status).toBe(200);
    const device = setCookie(admin, ADMIN_DEVICE_COOKIE);
    const session = setCookie(admin, "herenow_admin");

    // wrong guesses from as many addresses as it takes
    const answers = await Promise.all(
      Array.from({ length: global + 10 }, (_, index) => login(`198.18.${index >> 8}.${index & 255}`)),
    );
    const counts = statuses(answers);
    expect(counts[401]).toBeLessThanOrEqual(global);
    expect(counts[429]).toBeGreaterThan(0);

    const newcomer = await login("198.19.0.1", password);
    expect(newcomer.status).toBe(429);
    expect(newcomer.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await newcomer.json()) as { error: string }).error).toContain(
      `at most ${global} from all new addresses together`,
    );

    // the admin's browser gets in, even from an address the attacker has used up
    expect((await login("198.18.0.1", password, { cookie: device })).status).toBe(200);
    // so does a browser whose admin session is still open
    expect((await login("198.19.0.2", password, { cookie: session })).status).toBe(200);
    // a made-up device cookie is no way around the limit
    expect((await login("198.19.0.3", password, { cookie: `${ADMIN_DEVICE_COOKIE}=forged` })).status).toBe(429);
  });
});
