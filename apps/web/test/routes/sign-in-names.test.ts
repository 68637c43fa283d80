import { describe, expect, it } from "vitest";
import { POST as session } from "@/app/api/session/route";
import { sessionFromCookieHeader } from "@/server/session";
import { cookieFrom, formPost, ORIGIN, request } from "./support";

/** A sign-in as a script posts it, answered with JSON. */
function signIn(name: string): Promise<Response> {
  return session(
    request("/api/session", {
      method: "POST",
      body: JSON.stringify({ intent: "sign-in", name }),
      headers: { "content-type": "application/json", origin: ORIGIN, "sec-fetch-site": "same-origin" },
    }),
  );
}

describe("display names at sign-in", () => {
  it.each([
    ["only a zero-width space", "\u200B", "a name needs at least one visible character"],
    ["only a Hangul filler", "\u3164", "a name needs at least one visible character"],
    [
      "a right-to-left override, drawn 'admin'",
      "\u202Enimda",
      "a name cannot contain a right-to-left override (U+202E): it changes the order the letters are shown in, so one name could pass for another",
    ],
  ])("refuses a name of %s with 400 and says why, setting no cookie", async (_what, name, error) => {
    const response = await signIn(name);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error });
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("sends a browser's form back with the error code, signed out", async () => {
    const response = await session(
      formPost("/api/session", { intent: "sign-in", name: "\u202Enimda", returnTo: "/rooms/a" }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/rooms/a?signin=invalid_name");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("signs in with invisible characters stripped, keeping an emoji's joiner", async () => {
    const response = await signIn(" An\u200Bn \u{1F469}\u200D\u{1F4BB}\uFEFF");
    expect(response.status).toBe(200);
    const expected = "Ann \u{1F469}\u200D\u{1F4BB}";
    expect((await response.json()).user).toMatchObject({ name: expected });
    expect(await sessionFromCookieHeader(cookieFrom(response))).toMatchObject({ name: expected });
  });
});
