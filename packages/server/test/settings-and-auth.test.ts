import { createPresenceToken } from "@herenow/core";
import { safeEqual } from "@herenow/core/engine";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { Refusal, verifyConnection } from "../src/auth";
import { readSettings, SettingsError } from "../src/settings";

const secret = "s".repeat(40);
const settings = readSettings({ HERENOW_SECRET: secret });

function sign(claims: Record<string, unknown>, key = secret, alg = "HS256") {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
}

describe("readSettings", () => {
  it("applies the protocol's defaults", () => {
    expect(settings).toEqual({
      secret,
      maxAgeMs: 60_000,
      hiddenMaxAgeMs: 180_000,
      recentMs: 600_000,
      leaveGraceMs: 5_000,
      awayGraceMs: 1_500,
      anonymous: true,
      webhookUrl: null,
      webhookBatchMs: 500,
      webhookPartBytes: 1024 * 1024,
      windowThreshold: 500,
      shardedRooms: [],
      shards: 8,
    });
  });

  it("reads the away grace of a 1001 close, never longer than the leave grace", () => {
    expect(readSettings({ HERENOW_SECRET: secret, HERENOW_AWAY_GRACE_MS: "800" })).toMatchObject({
      awayGraceMs: 800,
      leaveGraceMs: 5000,
    });
    expect(
      readSettings({ HERENOW_SECRET: secret, HERENOW_AWAY_GRACE_MS: "9000", HERENOW_LEAVE_GRACE_MS: "2000" }),
    ).toMatchObject({ awayGraceMs: 2000, leaveGraceMs: 2000 });
    expect(readSettings({ HERENOW_SECRET: secret, HERENOW_LEAVE_GRACE_MS: "1000" }).awayGraceMs).toBe(1000);
  });

  it("reads the hidden max age, never less than the max age, and the recent time, 0 for off", () => {
    expect(readSettings({ HERENOW_SECRET: secret, HERENOW_HIDDEN_MAX_AGE_MS: "240000" }).hiddenMaxAgeMs).toBe(240_000);
    expect(
      readSettings({ HERENOW_SECRET: secret, HERENOW_MAX_AGE_MS: "90000", HERENOW_HIDDEN_MAX_AGE_MS: "30000" }),
    ).toMatchObject({ maxAgeMs: 90_000, hiddenMaxAgeMs: 90_000 });
    expect(readSettings({ HERENOW_SECRET: secret, HERENOW_RECENT_MS: "0" }).recentMs).toBe(0);
    expect(() => readSettings({ HERENOW_SECRET: secret, HERENOW_RECENT_MS: "ten minutes" })).toThrow(
      /HERENOW_RECENT_MS/,
    );
  });

  it("reads every variable", () => {
    expect(
      readSettings({
        HERENOW_SECRET: secret,
        HERENOW_MAX_AGE_MS: "1500",
        HERENOW_LEAVE_GRACE_MS: 0,
        HERENOW_ANONYMOUS: "false",
        HERENOW_WEBHOOK_URL: "http://127.0.0.1:3000/api/herenow/events",
        HERENOW_WEBHOOK_BATCH_MS: "100",
        HERENOW_WEBHOOK_PART_BYTES: "4096",
      }),
    ).toMatchObject({ maxAgeMs: 1500, leaveGraceMs: 0, anonymous: false, webhookBatchMs: 100, webhookPartBytes: 4096 });
  });

  it.each([
    [{}, "HERENOW_SECRET"],
    [{ HERENOW_SECRET: "short" }, "HERENOW_SECRET"],
    [{ HERENOW_SECRET: secret, HERENOW_MAX_AGE_MS: "soon" }, "HERENOW_MAX_AGE_MS"],
    [{ HERENOW_SECRET: secret, HERENOW_LEAVE_GRACE_MS: "-1" }, "HERENOW_LEAVE_GRACE_MS"],
    [{ HERENOW_SECRET: secret, HERENOW_AWAY_GRACE_MS: "1.5s" }, "HERENOW_AWAY_GRACE_MS"],
    [{ HERENOW_SECRET: secret, HERENOW_ANONYMOUS: "maybe" }, "HERENOW_ANONYMOUS"],
    [{ HERENOW_SECRET: secret, HERENOW_WEBHOOK_PART_BYTES: "100" }, "HERENOW_WEBHOOK_PART_BYTES"],
    [{ HERENOW_SECRET: secret, HERENOW_WEBHOOK_PART_BYTES: String(2 * 1024 * 1024) }, "HERENOW_WEBHOOK_PART_BYTES"],
    [{ HERENOW_SECRET: secret, HERENOW_WEBHOOK_URL: "ftp://x" }, "HERENOW_WEBHOOK_URL"],
  ])("names the variable that is wrong in %j", (env, variable) => {
    try {
      readSettings(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsError);
      expect((error as SettingsError).variable).toBe(variable);
      expect((error as Error).message).toContain(variable);
    }
  });
});

describe("verifyConnection", () => {
  const url = (query: Record<string, string>) => `http://h/parties/main/lobby?${new URLSearchParams(query)}`;
  const exp = Math.floor(Date.now() / 1000) + 600;

  it("lets an anonymous connection in unless the room refuses them", async () => {
    expect(await verifyConnection(url({}), "lobby", settings)).toBeNull();
    await expect(verifyConnection(url({}), "lobby", { ...settings, anonymous: false })).rejects.toMatchObject({
      status: 401,
    });
  });

  it("returns the identity of a good token", async () => {
    const token = await sign({ sub: "u1", name: "Ann", info: { colour: "red" }, exp });
    expect(await verifyConnection(url({ token }), "lobby", settings)).toEqual({
      id: "u1",
      name: "Ann",
      info: { colour: "red" },
    });
  });

  it("admits what core's createPresenceToken mints, in its rooms only", async () => {
    const user = { id: "u2", name: "Bo", info: { avatar: "b.png" } };
    const { token } = await createPresenceToken({ secret, user, rooms: ["lobby"] });
    expect(await verifyConnection(url({ token }), "lobby", settings)).toEqual(user);
    await expect(verifyConnection(url({ token }), "kitchen", settings)).rejects.toMatchObject({ status: 401 });
  });

  it.each([
    ["a forged signature", () => sign({ sub: "u1", name: "Ann", exp }, "x".repeat(40))],
    ["another algorithm", () => sign({ sub: "u1", name: "Ann", exp }, secret, "HS384")],
    ["no exp", () => sign({ sub: "u1", name: "Ann" })],
    ["an expired exp", () => sign({ sub: "u1", name: "Ann", exp: exp - 1200 })],
    ["no sub", () => sign({ name: "Ann", exp })],
    ["another room", () => sign({ sub: "u1", name: "Ann", exp, rooms: ["kitchen"] })],
    ["a name of only a zero-width space", () => sign({ sub: "u1", name: "\u200B", exp })],
    [
      "a name starting with a right-to-left override (drawn 'admin')",
      () => sign({ sub: "u1", name: "\u202Enimda", exp }),
    ],
  ])("refuses %s with 401", async (_what, make) => {
    const error = await verifyConnection(url({ token: await make() }), "lobby", settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Refusal);
    expect((error as Refusal).status).toBe(401);
    expect((error as Refusal).toResponse().status).toBe(401);
  });

  it("shows a token's name with its invisible characters stripped", async () => {
    const token = await sign({ sub: "u1", name: "An\u200Bn \u{1F469}\u200D\u{1F4BB}", exp });
    expect(await verifyConnection(url({ token }), "lobby", settings)).toMatchObject({
      name: "Ann \u{1F469}\u200D\u{1F4BB}",
    });
  });

  it("refuses bad room names and connection ids with 400", async () => {
    await expect(verifyConnection(url({}), "no way", settings)).rejects.toMatchObject({ status: 400 });
    await expect(verifyConnection(url({ _pk: "a/b" }), "lobby", settings)).rejects.toMatchObject({ status: 400 });
  });
});

describe("safeEqual", () => {
  it("compares whole strings", () => {
    expect(safeEqual("secret", "secret")).toBe(true);
    expect(safeEqual("secret", "secreT")).toBe(false);
    expect(safeEqual("secret", "secret!")).toBe(false);
    expect(safeEqual("", "secret")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
  });
});
