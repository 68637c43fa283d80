import { describe, expect, it } from "vitest";
import { RESUME_TOKEN_MIN_LIFE_MS, SessionResume } from "../src/session-resume";

/** An unsigned JWT-shaped token with only the claims the client reads. */
const tokenWith = (claims: Record<string, unknown>) =>
  `e30.${btoa(JSON.stringify(claims)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.sig`;

class MemoryStorage implements Pick<Storage, "getItem" | "setItem"> {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const storage = () => new MemoryStorage() as unknown as Storage & MemoryStorage;

describe("SessionResume", () => {
  const now = 1_800_000_000_000;

  it("keeps the confirmed id and the last token for the next page of the tab", () => {
    const kept = storage();
    const good = tokenWith({ sub: "u1", exp: (now + 10 * 60_000) / 1000 });
    const before = new SessionResume("herenow:lobby", kept);
    expect(before.read(now)).toEqual({ id: null, token: null });
    before.saveToken(good);
    before.saveId("c-1");
    expect(new SessionResume("herenow:lobby", kept).read(now)).toEqual({ id: "c-1", token: good });
    // another room of the same tab keeps its own
    expect(new SessionResume("herenow:kitchen", kept).read(now)).toEqual({ id: null, token: null });
  });

  it("leaves out a token with 30 s or less to live, or none that can be read", () => {
    const kept = storage();
    const resume = new SessionResume("k", kept);
    resume.saveId("c-1");
    resume.saveToken(tokenWith({ sub: "u1", exp: (now + RESUME_TOKEN_MIN_LIFE_MS) / 1000 }));
    expect(resume.read(now)).toEqual({ id: "c-1", token: null });
    resume.saveToken(tokenWith({ sub: "u1" }));
    expect(resume.read(now).token).toBeNull();
    resume.saveToken(null);
    expect(resume.read(now)).toEqual({ id: "c-1", token: null });
  });

  it("starts afresh from what it cannot read, and keeps nothing where storage refuses", () => {
    const kept = storage();
    kept.setItem("k", "{not json");
    expect(new SessionResume("k", kept).read(now)).toEqual({ id: null, token: null });
    const refusing = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    } as unknown as Storage;
    const resume = new SessionResume("k", refusing);
    expect(() => resume.saveId("c-1")).not.toThrow();
    expect(resume.read(now)).toEqual({ id: null, token: null });
    expect(new SessionResume("k", null).read(now)).toEqual({ id: null, token: null });
  });
});
