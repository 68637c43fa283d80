import * as v from "valibot";
import { env } from "@/env";
import { DisplayName } from "@/lib/display-name";
import { rememberBrowserUser } from "@/server/browser-users";
import { clientAddress } from "@/server/client-address";
import { isHttps, problem, sameSitePath, seeOther } from "@/server/http";
import { readFields, wantsJson } from "@/server/request-body";
import { crossSiteProblem } from "@/server/same-origin";
import {
  clearSessionCookie,
  newUser,
  type SessionUser,
  sessionCookie,
  sessionFromCookieHeader,
} from "@/server/session";
import { beginSignIn, SIGN_IN_LIMITS } from "@/server/sign-in-limit";
import { webDb } from "@/server/web-db";

export const dynamic = "force-dynamic";

const Body = v.variant("intent", [
  v.object({ intent: v.literal("sign-in"), name: DisplayName, returnTo: v.optional(v.string()) }),
  v.object({ intent: v.literal("sign-out"), returnTo: v.optional(v.string()) }),
]);

/**
 * `POST /api/session`: `intent=sign-in&name=Ann` signs in (a new random user
 * id, or the current one with a new name), `intent=sign-out` signs out. A
 * form post is answered with a redirect to `returnTo`; a JSON post with
 * `{ user }`. Cross-site posts are refused, so no other site can sign a
 * visitor in as someone else, and a `returnTo` that would lead off this site
 * (`sameSitePath`) is answered with 400, not followed: this site's own forms
 * never send one. Both remember the user in the browser's `herenow_browser`
 * cookie, which sign-out keeps, so a ban outlives a new name. A sign-in that
 * mints a new user counts against its client address (`SIGN_IN_LIMITS`):
 * past the limit it gets 429 with `Retry-After` (a form post goes back with
 * `?signin=too_many`); a rename is never limited.
 */
export async function POST(request: Request): Promise<Response> {
  const refused = crossSiteProblem(request.headers, request.url);
  if (refused) return problem(403, refused);
  const json = wantsJson(request);
  const fields = await readFields(request);
  const returnTo = fields?.returnTo === undefined ? "/" : sameSitePath(fields.returnTo, new URL(request.url).origin);
  if (returnTo === null) return problem(400, "returnTo must be a path on this site, such as /rooms/lobby");
  const parsed = v.safeParse(Body, fields);
  if (!parsed.success) {
    const message = parsed.issues[0]?.message ?? "send intent=sign-in with a name, or intent=sign-out";
    return json ? problem(400, message) : seeOther(withParam(returnTo, "signin", "invalid_name"));
  }
  const secure = isHttps(request);
  const headers = new Headers();
  const cookies = request.headers.get("cookie");
  const current = await sessionFromCookieHeader(cookies);
  if (parsed.output.intent === "sign-out") {
    headers.append("set-cookie", clearSessionCookie({ secure }));
    // a session from before the browser cookie existed: remember it before its id is gone
    await rememberUser(headers, cookies, current, secure);
    return json ? Response.json({ user: null }, { headers }) : seeOther(returnTo, headers);
  }
  if (current === null) {
    const gate = await beginSignIn(await webDb(), clientAddress(request.headers, env().clientAddress));
    if (!gate.allowed) {
      if (!json) return seeOther(withParam(returnTo, "signin", "too_many"));
      const { perClient, windowMs } = SIGN_IN_LIMITS;
      return problem(
        429,
        `too many sign-ins from this address (at most ${perClient} new users in ${windowMs / 60_000} min): try again in ${Math.ceil(gate.retryAfterSeconds / 60)} min`,
        { "retry-after": String(gate.retryAfterSeconds) },
      );
    }
  }
  const user = current ? { ...current, name: parsed.output.name } : newUser(parsed.output.name);
  // the session cookie first: it is the one a caller that reads a single cookie wants
  headers.append("set-cookie", await sessionCookie(user, { secure }));
  await rememberUser(headers, cookies, user, secure);
  return json ? Response.json({ user }, { headers }) : seeOther(returnTo, headers);
}

/** Adds the user to the users this browser remembers, so a ban on it outlives signing in again under a new name. */
async function rememberUser(
  headers: Headers,
  cookies: string | null,
  user: SessionUser | null,
  secure: boolean,
): Promise<void> {
  if (user === null) return;
  const remembered = await rememberBrowserUser(cookies, user.id, { secure });
  if (remembered) headers.append("set-cookie", remembered);
}

function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, "http://local");
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}
