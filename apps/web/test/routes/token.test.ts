import { DEFAULT_TOKEN_LIFETIME_SECONDS, identityFromClaims } from "@herenow/core";
import { SECRET as OTHER_SECRET, PartyServer } from "@herenow/testing";
import { jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/herenow/token/route";
import { POST as session } from "@/app/api/session/route";
import { resetEnv } from "@/env";
import { SESSION_COOKIE, sessionFromCookieHeader } from "@/server/session";
import { formPost, request, signedIn } from "./support";

const ROUTE_SECRET = process.env.HERENOW_SECRET as string;
const secret = new TextEncoder().encode(ROUTE_SECRET);
const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);

// Real parties, as the route meets them: one that shares the app's secret, one with another
// secret, one started without any; the route reads HERENOW_PARTY_HOST through env().
let party: PartyServer;
let otherSecretParty: PartyServer;
let noSecretParty: PartyServer;
function useParty(host: string): void {
  process.env.HERENOW_PARTY_HOST = host;
  resetEnv();
}

beforeAll(async () => {
  // the first start builds the worker's bundle, which the others then share
  party = await PartyServer.start({ HERENOW_SECRET: ROUTE_SECRET });
  [otherSecretParty, noSecretParty] = await Promise.all([
    PartyServer.start({ HERENOW_SECRET: OTHER_SECRET }),
    PartyServer.start({ HERENOW_SECRET: "" }),
  ]);
  useParty(party.host);
});

afterAll(async () => {
  warn.mockRestore();
  await Promise.all([party?.dispose(), otherSecretParty?.dispose(), noSecretParty?.dispose()]);
});

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

  it("answers 403, with when the ban ends, to a user the room has banned", async () => {
    const user = { id: "u_22222222-banned", name: "Bo" };
    const kick = await fetch(party.httpUrl("banned-room", "kick"), {
      method: "POST",
      headers: { authorization: `Bearer ${ROUTE_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ userId: user.id, banSeconds: 3600 }),
    });
    expect(kick.status).toBe(200);
    const response = await GET(request("/api/herenow/token?room=banned-room", { cookie: await signedIn(user) }));
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: string; bannedUntil: number };
    expect(body.error).toContain("banned");
    expect(body.bannedUntil).toBeGreaterThan(Date.now() + 3_500_000);
    // another room is fine
    expect((await GET(request("/api/herenow/token?room=lobby", { cookie: await signedIn(user) }))).status).toBe(200);
  });
});

describe("a ban and the browser it was made in", () => {
  /** The cookies a browser keeps across answers: later values replace earlier ones, `Max-Age=0` deletes. */
  class CookieJar {
    private readonly cookies = new Map<string, string>();
    take(response: Response): void {
      for (const header of response.headers.getSetCookie()) {
        const [pair = ""] = header.split(";");
        const name = pair.slice(0, pair.indexOf("="));
        if (/Max-Age=0(;|$)/.test(header)) this.cookies.delete(name);
        else this.cookies.set(name, pair);
      }
    }
    header(): string {
      return [...this.cookies.values()].join("; ");
    }
  }

  const post = (fields: Record<string, string>, jar: CookieJar) =>
    session(formPost("/api/session", fields, {}, jar.header())).then((response) => {
      jar.take(response);
      return response;
    });
  const ban = (room: string, userId: string, path = "kick", banSeconds: number | undefined = 3600) =>
    fetch(party.httpUrl(room, path), {
      method: "POST",
      headers: { authorization: `Bearer ${ROUTE_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ userId, ...(path === "kick" ? { banSeconds } : {}) }),
    });
  const tokenStatus = async (room: string, cookie: string) =>
    (await GET(request(`/api/herenow/token?room=${room}`, { cookie }))).status;

  it("keeps refusing a banned visitor who signs out and in again under a new name, in that room only", async () => {
    const jar = new CookieJar();
    await post({ intent: "sign-in", name: "Mallory" }, jar);
    const first = await sessionFromCookieHeader(jar.header());
    expect(first).not.toBeNull();
    expect((await ban("browser-ban", first?.id as string)).status).toBe(200);
    expect(await tokenStatus("browser-ban", jar.header())).toBe(403);

    await post({ intent: "sign-out" }, jar);
    await post({ intent: "sign-in", name: "Not Mallory" }, jar);
    const second = await sessionFromCookieHeader(jar.header());
    expect(second?.id).toMatch(/^u_/);
    expect(second?.id).not.toBe(first?.id);

    const refused = await GET(request("/api/herenow/token?room=browser-ban", { cookie: jar.header() }));
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: string; bannedUntil: number };
    expect(body.error).toContain("banned");
    expect(body.bannedUntil).toBeGreaterThan(Date.now() + 3_500_000);
    // another room is fine, and so is a browser that never was the banned user
    expect(await tokenStatus("lobby", jar.header())).toBe(200);
    const other = new CookieJar();
    await post({ intent: "sign-in", name: "Ann" }, other);
    expect(await tokenStatus("browser-ban", other.header())).toBe(200);

    // lifting the ban lets the browser in again under either name
    expect((await ban("browser-ban", first?.id as string, "unban")).status).toBe(200);
    expect(await tokenStatus("browser-ban", jar.header())).toBe(200);
  });

  it("remembers a session that began before the browser cookie existed when it signs out", async () => {
    const old = { id: "u_33333333-from-before", name: "Old" };
    const jar = new CookieJar();
    const response = await session(formPost("/api/session", { intent: "sign-out" }, {}, await signedIn(old)));
    jar.take(response);
    await post({ intent: "sign-in", name: "New" }, jar);
    expect((await ban("before-room", old.id)).status).toBe(200);
    expect(await tokenStatus("before-room", jar.header())).toBe(403);
  });

  it("takes no edited list of earlier users: a forged browser cookie counts for nothing", async () => {
    const jar = new CookieJar();
    await post({ intent: "sign-in", name: "Eve" }, jar);
    const user = await sessionFromCookieHeader(jar.header());
    expect((await ban("forged-room", "u_44444444-someone-else")).status).toBe(200);
    const forged = await new SignJWT({ users: ["u_44444444-someone-else"] })
      .setProtectedHeader({ alg: "HS256" })
      .setAudience("herenow-web-browser")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("not-the-session-secret-0123456789abcdef"));
    const cookie = `${jar.header().replace(/herenow_browser=[^;]*/, "")}; herenow_browser=${forged}`;
    expect(user).not.toBeNull();
    expect(await tokenStatus("forged-room", cookie)).toBe(200);
  });
});

describe("GET /api/herenow/token when the party cannot take sockets", () => {
  afterAll(() => useParty(party.host));

  const reasonOf = async (response: Response) => {
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
    return (await response.json()) as { error: string; reason: string };
  };

  it("says secret_mismatch to a signed-in visitor when the party has another secret", async () => {
    useParty(otherSecretParty.host);
    const body = await reasonOf(await GET(request("/api/herenow/token?room=lobby", { cookie: await signedIn() })));
    expect(body.reason).toBe("secret_mismatch");
    expect(body.error).toContain("HERENOW_SECRET");
  });

  it("still answers 401 to a guest there, whose socket needs no token", async () => {
    useParty(otherSecretParty.host);
    expect((await GET(request("/api/herenow/token?room=lobby"))).status).toBe(401);
  });

  it("says party_misconfigured, signed in or not, when the party runs without HERENOW_SECRET", async () => {
    useParty(noSecretParty.host);
    const signedInBody = await reasonOf(
      await GET(request("/api/herenow/token?room=lobby", { cookie: await signedIn() })),
    );
    expect(signedInBody.reason).toBe("party_misconfigured");
    // the party's own words, which name the variable, reach whoever runs the site
    expect(signedInBody.error).toContain("HERENOW_SECRET: is not set");
    expect((await reasonOf(await GET(request("/api/herenow/token?room=lobby")))).reason).toBe("party_misconfigured");
  });

  it("says party_unreachable, signed in or not, when nothing answers at the party's address", async () => {
    // a party stopped for good: the last test was done with this one
    const stopped = noSecretParty;
    await stopped.stop("SIGKILL");
    useParty(stopped.host);
    warn.mockClear();
    const body = await reasonOf(await GET(request("/api/herenow/token?room=lobby", { cookie: await signedIn() })));
    expect(body.reason).toBe("party_unreachable");
    expect(body.error).toContain(`the party at ${stopped.host} did not answer`);
    expect((await reasonOf(await GET(request("/api/herenow/token?room=lobby")))).reason).toBe("party_unreachable");
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("party_unreachable"));
  });
});
