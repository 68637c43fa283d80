import { afterAll, describe, expect, it } from "vitest";
import { POST as session } from "@/app/api/session/route";
import { SOCKET_ADDRESS_HEADER } from "@/server/client-address";
import { closeDatabase } from "@/server/db";
import { SIGN_IN_LIMITS } from "@/server/sign-in-limit";
import { cookieFrom, formPost, ORIGIN, request } from "./support";

afterAll(closeDatabase);

const { perClient, windowMs } = SIGN_IN_LIMITS;

/** A script's JSON sign-in from one socket address (as the app's server stamps it), with a session or without. */
function signIn(address: string, cookie: string | null = null, headers: Record<string, string> = {}) {
  return session(
    request("/api/session", {
      method: "POST",
      body: JSON.stringify({ intent: "sign-in", name: "Bot" }),
      headers: {
        "content-type": "application/json",
        origin: ORIGIN,
        "sec-fetch-site": "same-origin",
        [SOCKET_ADDRESS_HEADER]: address,
        ...headers,
      },
      cookie,
    }),
  );
}

describe("sign-in limit", () => {
  it("mints at most the limit of new users per client address, whatever X-Forwarded-For says", async () => {
    const answers = await Promise.all(
      Array.from({ length: perClient + 15 }, (_, index) =>
        signIn("203.0.113.40", null, { "x-forwarded-for": `198.18.9.${index}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(perClient);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);

    const limited = answers.find((answer) => answer.status === 429) as Response;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(windowMs / 1000);
    expect(limited.headers.get("set-cookie")).toBeNull();
    expect(((await limited.json()) as { error: string }).error).toMatch(/^too many sign-ins from this address/);

    // a browser's form goes back to the page it came from, which says so
    const form = await session(
      formPost(
        "/api/session",
        { intent: "sign-in", name: "Bot", returnTo: "/rooms/a" },
        { [SOCKET_ADDRESS_HEADER]: "203.0.113.40" },
      ),
    );
    expect(form.headers.get("location")).toBe("/rooms/a?signin=too_many");

    // renaming a signed-in user mints nobody and is not limited
    const signedIn = answers.find((answer) => answer.status === 200) as Response;
    expect((await signIn("203.0.113.40", cookieFrom(signedIn))).status).toBe(200);
    // other addresses are not held up
    expect((await signIn("203.0.113.41")).status).toBe(200);
  });
});
