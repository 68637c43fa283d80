import { describe, expect, it } from "vitest";
import { POST as adminSession } from "@/app/api/admin/session/route";
import { POST as session } from "@/app/api/session/route";
import { crossSiteProblem } from "@/server/same-origin";
import { SESSION_COOKIE, sessionFromCookieHeader } from "@/server/session";
import { cookieFrom, formPost, ORIGIN, request } from "./support";

describe("cross-site request refusal", () => {
  it("refuses a sign-in posted from another site (login CSRF), setting no cookie", async () => {
    // Mallory's sign-in form, posted with these headers
    const signIn = (headers: Record<string, string>) =>
      session(formPost("/api/session", { intent: "sign-in", name: "Mallory" }, headers));
    const fromEvil = await signIn({ origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(fromEvil.status).toBe(403);
    expect(fromEvil.headers.get("set-cookie")).toBeNull();

    // a browser that sends only one of the two headers is refused as well
    const originOnly = await signIn({ origin: "https://evil.example", "sec-fetch-site": "" });
    expect(originOnly.status).toBe(403);
    const fetchSiteOnly = request("/api/session", {
      method: "POST",
      body: new URLSearchParams({ intent: "sign-in", name: "Mallory" }),
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-site" },
    });
    expect((await session(fetchSiteOnly)).status).toBe(403);
  });

  it("refuses a cross-site admin login and logout", async () => {
    const password = process.env.HERENOW_ADMIN_PASSWORD as string;
    const login = await adminSession(
      formPost(
        "/api/admin/session",
        { intent: "login", password },
        { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      ),
    );
    expect(login.status).toBe(403);
    expect(login.headers.get("set-cookie")).toBeNull();
    const logout = await adminSession(formPost("/api/admin/session", { intent: "logout" }, { origin: "null" }));
    expect(logout.status).toBe(403);
  });

  it("accepts the same sign-in from this site and sets a signed, httpOnly, SameSite=Lax cookie", async () => {
    const response = await session(
      formPost("/api/session", { intent: "sign-in", name: "  Ann   Lee ", returnTo: "/rooms/lobby" }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/rooms/lobby");
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const user = await sessionFromCookieHeader(cookieFrom(response));
    expect(user).toEqual({ id: expect.stringMatching(/^u_/), name: "Ann Lee" });

    // signing in again with another name keeps the id
    const renamed = await session(
      formPost("/api/session", { intent: "sign-in", name: "Annie" }, {}, cookieFrom(response)),
    );
    expect(await sessionFromCookieHeader(cookieFrom(renamed))).toEqual({ id: user?.id, name: "Annie" });
  });

  it("does not redirect off the site, and sends a bad name back with an error code", async () => {
    const away = await session(
      formPost("/api/session", { intent: "sign-in", name: "Ann", returnTo: "//evil.example/x" }),
    );
    expect(away.status).toBe(400);
    expect(away.headers.get("location")).toBeNull();
    const bad = await session(formPost("/api/session", { intent: "sign-in", name: "   ", returnTo: "/rooms/a" }));
    expect(bad.status).toBe(303);
    expect(bad.headers.get("location")).toBe("/rooms/a?signin=invalid_name");
    expect(bad.headers.get("set-cookie")).toBeNull();
  });

  it("lets programs without browser headers through (they carry no visitor's cookies)", () => {
    expect(crossSiteProblem(new Headers({ host: "app.test" }), `${ORIGIN}/api/session`)).toBeNull();
    expect(crossSiteProblem(new Headers({ host: "app.test", origin: ORIGIN }), `${ORIGIN}/api/session`)).toBeNull();
    expect(
      crossSiteProblem(
        new Headers({ host: "internal:3000", "x-forwarded-host": "app.test", origin: ORIGIN }),
        "http://internal:3000/",
      ),
    ).toBeNull();
  });
});
