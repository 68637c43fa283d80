import { describe, expect, it } from "vitest";
import { POST as session } from "@/app/api/session/route";
import { formPost, ORIGIN, signedIn } from "./support";

const HOSTILE = [
  "//evil.example/x",
  "/\\evil.example/x",
  "/\t/evil.example/x",
  "/.//evil.example/x",
  "https://evil.example/x",
  "javascript:alert(1)",
  "/rooms/a\r\nSet-Cookie: x=1",
  "/rooms/a\n",
];

/** Where a browser goes with this answer's `Location`, or `null` when it does not redirect. */
function destination(response: Response): string | null {
  const location = response.headers.get("location");
  return location === null ? null : new URL(location, ORIGIN).href;
}

describe("returnTo of the sign-in and sign-out forms", () => {
  it.each(HOSTILE)("answers sign-in with returnTo %j with 400, no redirect and no cookie", async (returnTo) => {
    const response = await session(formPost("/api/session", { intent: "sign-in", name: "Ann", returnTo }));
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("set-cookie")).toBeNull();
    expect((await response.json()).error).toMatch(/returnTo must be a path on this site/);
  });

  it.each(HOSTILE)("answers sign-out with returnTo %j with 400 and no redirect", async (returnTo) => {
    const response = await session(formPost("/api/session", { intent: "sign-out", returnTo }, {}, await signedIn()));
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });

  it("refuses a hostile returnTo even when the name is bad too, so no error redirect leaves the site", async () => {
    const response = await session(
      formPost("/api/session", { intent: "sign-in", name: "", returnTo: "/\t/evil.example" }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });

  it("still comes back to a page of this site, normalised", async () => {
    const signIn = await session(
      formPost("/api/session", { intent: "sign-in", name: "Ann", returnTo: "/rooms/lobby" }),
    );
    expect(signIn.status).toBe(303);
    expect(destination(signIn)).toBe(`${ORIGIN}/rooms/lobby`);
    const signOut = await session(formPost("/api/session", { intent: "sign-out", returnTo: "/rooms/a/../b" }));
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get("location")).toBe("/rooms/b");
    const none = await session(formPost("/api/session", { intent: "sign-out" }));
    expect(none.headers.get("location")).toBe("/");
  });
});
