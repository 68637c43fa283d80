import { describe, expect, it } from "vitest";
import { createPresenceToken, identityFromClaims, normalizeDisplayName } from "../src/index";

const name = (raw: string) => {
  const checked = normalizeDisplayName(raw);
  return checked.ok ? checked.name : null;
};

describe("normalizeDisplayName", () => {
  it.each([
    ["the zero-width space alone", "\u200B"],
    ["zero-width characters and a word joiner only", "\u200B\u200C\u200D\u2060\uFEFF"],
    ["direction marks only", "\u200E\u200F\u061C"],
    ["the Hangul filler of 'invisible name' tricks", "\u3164\u3164"],
    ["white space only", " \t\u00A0\u3000 "],
    ["control characters only", "\u0000\u0007\u001B"],
    ["the empty string", ""],
  ])("refuses %s: nothing visible is left", (_what, raw) => {
    expect(normalizeDisplayName(raw)).toEqual({ ok: false, reason: "a name needs at least one visible character" });
  });

  it.each([
    ["a right-to-left override, drawn 'admin'", "\u202Enimda", /right-to-left override \(U\+202E\)/],
    ["a left-to-right override", "Ann\u202D", /left-to-right override \(U\+202D\)/],
    ["an embedding", "\u202BAnn\u202C", /right-to-left embedding \(U\+202B\)/],
    ["an isolate", "\u2067Ann\u2069", /right-to-left isolate \(U\+2067\)/],
    ["a pop directional isolate", "Ann\u2069", /U\+2069/],
  ])("refuses %s, saying why", (_what, raw, reason) => {
    const checked = normalizeDisplayName(raw);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });

  it.each([
    ["a zero-width space inside", "An\u200Bn", "Ann"],
    ["a zero-width joiner between Latin letters", "A\u200Dnn", "Ann"],
    ["a byte order mark in front", "\uFEFFAnn", "Ann"],
    ["direction marks", "\u200FAnn\u200E", "Ann"],
    ["a soft hyphen", "An\u00ADn", "Ann"],
    ["control characters", "A\u0000n\u001Bn", "Ann"],
    ["an unpaired surrogate", "An\uDC00n", "Ann"],
    ["a stray tag character", "Ann\u{E0067}", "Ann"],
    ["a variation selector after a Latin letter", "A\uFE0Fnn", "Ann"],
  ])("strips %s", (_what, raw, expected) => {
    expect(name(raw)).toBe(expected);
  });

  it("folds every white space into one space and trims, after the invisible characters are gone", () => {
    expect(name("  Ann \u200B  Lee ")).toBe("Ann Lee");
    expect(name("Ann\tLee\n")).toBe("Ann Lee");
    expect(name("\u00A0Ann\u3000Lee\u2028")).toBe("Ann Lee");
  });

  it("normalises to NFC, also where stripping brings a letter and its accent together", () => {
    expect(name("Rene\u0301")).toBe("René");
    expect(name("Rene\u200B\u0301")).toBe("René");
    expect(name("Ren\u00E9")).toBe(name("Rene\u0301"));
  });

  it.each([
    ["a ZWJ emoji sequence", "👩\u200D💻"],
    ["a family", "👨\u200D👩\u200D👧"],
    ["a skin tone before the joiner", "🧑🏽\u200D💻"],
    ["a presentation selector before the joiner", "🏳\uFE0F\u200D🌈"],
    ["a heart with its presentation selector", "❤\uFE0F"],
    ["a keycap", "1\uFE0F\u20E3"],
    ["a subdivision flag's tag characters", "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"],
    ["a Persian word's zero-width non-joiner", "می\u200Cخواهم"],
    ["a Devanagari half form's zero-width joiner", "क्\u200Dष"],
    ["an ideographic variation selector", "葛\u{E0100}"],
  ])("keeps what %s needs to look right", (_what, raw) => {
    expect(name(raw)).toBe(raw);
    expect(name(`Ann ${raw}`)).toBe(`Ann ${raw}`);
  });

  it("strips a joiner that joins no emoji", () => {
    expect(name("👩\u200D")).toBe("👩");
    expect(name("\u200D💻")).toBe("💻");
    expect(name("Ann\u200D💻")).toBe("Ann💻");
  });

  it("gives the same answer for its own answer", () => {
    for (const raw of ["  Ann\u200B Lee", "👩\u200D💻 Bo", "Rene\u200B\u0301", "می\u200Cخواهم", "A\uFE0F\u200D💻"]) {
      const once = name(raw);
      expect(once).not.toBeNull();
      expect(name(once as string)).toBe(once);
    }
  });
});

describe("the display-name rule in tokens", () => {
  const secret = "a-development-secret-of-at-least-32-bytes";
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  const exp = now / 1000 + 3600;

  it.each([
    ["only a zero-width space", "\u200B", /`name`: a name needs at least one visible character/],
    ["a right-to-left override", "\u202Enimda", /`name`: a name cannot contain a right-to-left override/],
  ])("refuses claims whose name is %s", (_what, raw, reason) => {
    expect(identityFromClaims({ sub: "u1", name: raw, exp }, "lobby", now)).toEqual({
      ok: false,
      reason: expect.stringMatching(reason),
    });
  });

  it("shows the name with its invisible characters stripped", () => {
    expect(
      identityFromClaims({ sub: "u1", name: "An\u200Bn \u{1F469}\u200D\u{1F4BB}", exp }, "lobby", now),
    ).toMatchObject({ ok: true, identity: { name: "Ann 👩\u200D💻" } });
  });

  it("refuses a name longer than 64 characters once stripped, and takes one that only the stripping shortens", () => {
    expect(identityFromClaims({ sub: "u1", name: "x".repeat(65), exp }, "lobby", now).ok).toBe(false);
    expect(identityFromClaims({ sub: "u1", name: `${"x".repeat(64)}\u200B`, exp }, "lobby", now).ok).toBe(true);
  });

  it("lets createPresenceToken mint no token with a name a room refuses, and sign the name as rooms show it", async () => {
    await expect(createPresenceToken({ secret, user: { id: "u1", name: "\u200B" }, now })).rejects.toThrow(
      /`user.name`: a name needs at least one visible character/,
    );
    await expect(createPresenceToken({ secret, user: { id: "u1", name: "\u202Enimda" }, now })).rejects.toThrow(
      /`user.name`: a name cannot contain a right-to-left override \(U\+202E\)/,
    );
    const { token } = await createPresenceToken({ secret, user: { id: "u1", name: " Ann\u200B " }, now });
    const payload = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8"));
    expect(payload.name).toBe("Ann");
  });
});
