import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createPresenceToken, identityFromClaims } from "../src/index";

const secret = "a-development-secret-of-at-least-32-bytes";
const now = Date.UTC(2026, 10, 28, 12, 0, 0);
const ann = { id: "u_ann", name: "Ann", info: { color: "#0a7" } };

describe("createPresenceToken", () => {
  it("signs the protocol's claims with HS256 and answers when the token expires", async () => {
    const { token, expiresAt } = await createPresenceToken({ secret, user: ann, rooms: ["lobby"], now });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { currentDate: new Date(now) });
    expect(payload).toEqual({
      sub: "u_ann",
      name: "Ann",
      info: { color: "#0a7" },
      rooms: ["lobby"],
      iat: now / 1000,
      exp: now / 1000 + 600,
    });
    expect(expiresAt).toBe(now + 600_000);
    // what a room checks after the signature: this token is good for lobby and nowhere else
    expect(identityFromClaims(payload, "lobby", now)).toMatchObject({ ok: true, identity: ann });
    expect(identityFromClaims(payload, "other", now)).toMatchObject({ ok: false });
  });

  it("leaves out `rooms` (every room) and `info` when they are not given", async () => {
    const { token } = await createPresenceToken({ secret, user: { id: "u1", name: "Bo" }, expiresIn: 60, now });
    const claims = decodeJwt(token);
    expect(claims).not.toHaveProperty("rooms");
    expect(claims).not.toHaveProperty("info");
    expect(claims.exp).toBe(now / 1000 + 60);
    expect(identityFromClaims(claims, "any-room", now)).toMatchObject({ ok: true });
  });

  it("does not sign with a key other than the secret", async () => {
    const { token } = await createPresenceToken({ secret, user: ann, now });
    await expect(
      jwtVerify(token, new TextEncoder().encode(`${secret}-other`), { currentDate: new Date(now) }),
    ).rejects.toThrow(/signature/);
  });

  it.each([
    [{ secret: "short" }, /secret must be at least 32 bytes/],
    [{ expiresIn: 0 }, /expiresIn must be a whole number of seconds from 1 to 86400, got 0/],
    [{ expiresIn: 86_401 }, /expiresIn/],
    [{ expiresIn: 1.5 }, /expiresIn/],
    [{ user: { id: "", name: "Ann" } }, /`user.id` is empty/],
    [{ user: { id: "u1", name: "x".repeat(65) } }, /`user.name` is longer than 64 characters/],
    [{ user: { id: "u1", name: "Ann", info: { blob: "x".repeat(2000) } } }, /`user.info` is larger than 1024 bytes/],
    [{ rooms: ["../admin"] }, /`rooms` holds an invalid room name/],
  ])("refuses to mint a token a room would refuse: %j", async (change, message) => {
    await expect(createPresenceToken({ secret, user: ann, rooms: ["lobby"], now, ...change })).rejects.toThrow(message);
  });
});
