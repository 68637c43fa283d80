import { DEFAULT_TOKEN_LIFETIME_SECONDS, identityFromClaims } from "@herenow/core";
import { jwtVerify, SignJWT } from "jose";
import { afterAll, describe, expect, it, vi } from "vitest";
import { GET } from "../../src/app/api/herenow/token/route";
import { SESSION_COOKIE } from "../../src/server/session";
import { request, signedIn } from "./support";

const secret = new TextEncoder().encode(process.env.HERENOW_SECRET);
// HERENOW_PARTY_HOST is 127.0.0.1:1 here: nothing answers there, so every ban check fails and says so
const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
afterAll(() => warn.mockRestore());

describe("GET /api/herenow/token", () => {
  it("gives a signed-in visitor a JWT for that room only, verifiable with HERENOW_SECRET", async () => {
    const cookie = await signedIn({ id: "u_11111111-aaaa", name: "Ann Lee" });
    const before = Math.floor(Date.now() / 1000);
    const response = await GET(request("/api/herenow/token?room=lobby", { cookie }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: number };

    const { payload, protectedHeader } = await jwtVerify(token, secret, { algorithms: ["HS256"] });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload.sub).toBe("u_11111111-aaaa");
    expect(payload.name).toBe("Ann Lee");
    expect(payload.rooms).toEqual(["lobby"]);
    expect(payload.exp).toBeGreaterThanOrEqual(before + DEFAULT_TOKEN_LIFETIME_SECONDS);
    expect(payload.exp).toBeLessThanOrEqual(before + DEFAULT_TOKEN_LIFETIME_SECONDS + 2);
    expect(expiresAt).toBe((payload.exp as number) * 1000);

    // the party's own check accepts it for this room and no other
    expect(identityFromClaims(payload, "lobby", Date.now())).toMatchObject({
      ok: true,
      identity: { id: "u_11111111-aaaa", name: "Ann Lee" },
    });
    expect(identityFromClaims(payload, "other", Date.now()).ok).toBe(false);
  });

  it("answers 401 to an anonymous visitor", async () => {
    const response = await GET(request("/api/herenow/token?room=lobby"));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.stringContaining("anonymous") });
  });

  it("answers 401 to a forged or tampered session cookie", async () => {
    const forged = await new SignJWT({ name: "Mallory" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u_99999999-evil")
      .setAudience("herenow-web-session")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("not-the-session-secret-0123456789abcdef"));
    expect(
      (await GET(request("/api/herenow/token?room=lobby", { cookie: `${SESSION_COOKIE}=${forged}` }))).status,
    ).toBe(401);

    const genuine = await signedIn();
    const tampered = `${genuine.slice(0, -4)}AAAA`;
    expect((await GET(request("/api/herenow/token?room=lobby", { cookie: tampered }))).status).toBe(401);

    // a presence token is no session: it is signed with the other secret and has no audience
    const token = await new SignJWT({ name: "Ann" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u_1")
      .setExpirationTime("1h")
      .sign(secret);
    expect((await GET(request("/api/herenow/token?room=lobby", { cookie: `${SESSION_COOKIE}=${token}` }))).status).toBe(
      401,
    );
  });

  it.each([
    ["a room with a space", "?room=a%20b"],
    ["an empty room", "?room="],
    ["no room at all", ""],
    ["a room of 65 characters", `?room=${"a".repeat(65)}`],
    ["a room with a slash", "?room=a%2Fb"],
  ])("answers 400 to %s, even when signed in", async (_, query) => {
    const response = await GET(request(`/api/herenow/token${query}`, { cookie: await signedIn() }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/room name/);
  });

  it("refuses a cross-site request", async () => {
    const response = await GET(
      request("/api/herenow/token?room=lobby", {
        cookie: await signedIn(),
        headers: { "sec-fetch-site": "cross-site" },
      }),
    );
    expect(response.status).toBe(403);
  });

  it("still gives the token when the party cannot be asked about bans, and says so in the log", async () => {
    warn.mockClear();
    const response = await GET(request("/api/herenow/token?room=unreachable", { cookie: await signedIn() }));
    // the party itself refuses a banned user's socket, so an outage here must not stop everyone else
    expect(response.status).toBe(200);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no ban check for room "unreachable"'));
  });
});
