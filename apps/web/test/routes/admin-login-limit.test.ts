import { afterAll, describe, expect, it } from "vitest";
import { POST as adminSession } from "@/app/api/admin/session/route";
import { closeDatabase } from "@/server/db";
import { ADMIN_LOGIN_LIMITS, beginAdminLogin, clientBucket } from "@/server/login-limit";
import { webDb } from "@/server/web-db";
import { formPost, request } from "./support";

const password = process.env.HERENOW_ADMIN_PASSWORD as string;
const windowMinutes = ADMIN_LOGIN_LIMITS.windowMs / 60_000;

afterAll(closeDatabase);

/** A script's JSON login from one address, as the proxy in front reports it. */
function login(address: string, given = "a wrong guess"): Promise<Response> {
  return adminSession(
    request("/api/admin/session", {
      method: "POST",
      body: JSON.stringify({ intent: "login", password: given }),
      headers: { "content-type": "application/json", "x-forwarded-for": `${address}, 10.0.0.1` },
    }),
  );
}

function statuses(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe("admin login limits", () => {
  it("answers 429 with Retry-After to one client's parallel wrong passwords past the limit", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => login("203.0.113.7")));
    expect(statuses(answers)).toEqual({ 401: ADMIN_LOGIN_LIMITS.perClient, 429: 30 - ADMIN_LOGIN_LIMITS.perClient });

    const limited = answers.find((answer) => answer.status === 429) as Response;
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowMinutes * 60);
    expect(((await limited.json()) as { error: string }).error).toBe(
      `too many failed admin logins (at most ${ADMIN_LOGIN_LIMITS.perClient} from one address in ${windowMinutes} min): try again in ${windowMinutes} min`,
    );

    // the right password does not get through either, so guessing on is pointless
    const right = await login("203.0.113.7", password);
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie")).toBeNull();
    // a browser's form post goes back to the login page, which explains
    const form = await adminSession(
      formPost("/api/admin/session", { intent: "login", password }, { "x-forwarded-for": "203.0.113.7" }),
    );
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe(`/admin/login?error=too_many_attempts&retry=${windowMinutes}`);
    // other clients are not held up
    expect((await login("198.51.100.2", password)).status).toBe(200);
  });

  it("starts a client over after a successful login", async () => {
    const first = await Promise.all(Array.from({ length: ADMIN_LOGIN_LIMITS.perClient - 1 }, () => login("192.0.2.9")));
    expect(statuses(first)).toEqual({ 401: ADMIN_LOGIN_LIMITS.perClient - 1 });
    expect((await login("192.0.2.9", password)).status).toBe(200);

    const again = await Promise.all(Array.from({ length: ADMIN_LOGIN_LIMITS.perClient + 1 }, () => login("192.0.2.9")));
    expect(statuses(again)).toEqual({ 401: ADMIN_LOGIN_LIMITS.perClient, 429: 1 });
  });

  it("counts again from zero once the window is over", async () => {
    const db = await webDb();
    // a window that began long enough ago that it is over by now
    const start = new Date(Date.now() - ADMIN_LOGIN_LIMITS.windowMs - 10 * 60_000);
    for (let attempt = 0; attempt < ADMIN_LOGIN_LIMITS.perClient; attempt++) {
      expect(await beginAdminLogin(db, "client:window-test", start)).toEqual({ allowed: true });
    }
    const later = new Date(start.getTime() + 60_000);
    expect(await beginAdminLogin(db, "client:window-test", later)).toEqual({
      allowed: false,
      scope: "client",
      retryAfterSeconds: windowMinutes * 60 - 60,
    });
    const over = new Date(start.getTime() + ADMIN_LOGIN_LIMITS.windowMs);
    expect(await beginAdminLogin(db, "client:window-test", over)).toEqual({ allowed: true });
  });

  it("takes the client from X-Forwarded-For, else X-Real-IP, else one shared bucket", () => {
    expect(clientBucket(new Headers({ "x-forwarded-for": " 203.0.113.7 , 10.0.0.1", "x-real-ip": "10.0.0.2" }))).toBe(
      "client:203.0.113.7",
    );
    expect(clientBucket(new Headers({ "x-real-ip": "2001:DB8::1" }))).toBe("client:2001:db8::1");
    expect(clientBucket(new Headers({ "x-forwarded-for": "not an <address>", "x-real-ip": "10.0.0.2" }))).toBe(
      "client:10.0.0.2",
    );
    expect(clientBucket(new Headers())).toBe("client:unknown");
    expect(clientBucket(new Headers({ "x-forwarded-for": "x".repeat(300) }))).toBe("client:unknown");
  });

  // last: it leaves every client of this file locked out
  it("limits failed logins from all clients together, however many addresses they use", async () => {
    const answers = await Promise.all(
      Array.from({ length: ADMIN_LOGIN_LIMITS.global }, (_, index) => login(`198.18.${index >> 8}.${index & 255}`)),
    );
    const counts = statuses(answers);
    expect(counts[401]).toBeLessThanOrEqual(ADMIN_LOGIN_LIMITS.global);
    expect(counts[429]).toBeGreaterThan(0);

    const newcomer = await login("198.19.0.1", password);
    expect(newcomer.status).toBe(429);
    expect(newcomer.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await newcomer.json()) as { error: string }).error).toContain(
      `at most ${ADMIN_LOGIN_LIMITS.global} from all addresses together`,
    );
  });
});
