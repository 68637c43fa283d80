import * as v from "valibot";
import { env } from "@/env";
import {
  adminCookie,
  adminDeviceCookie,
  clearAdminCookie,
  endAdminSession,
  isAdminPassword,
  knownAdminBrowser,
} from "@/server/admin-session";
import { clientAddress } from "@/server/client-address";
import { isHttps, problem, seeOther } from "@/server/http";
import { ADMIN_LOGIN_LIMITS, adminLoginSucceeded, beginAdminLogin } from "@/server/login-limit";
import { readFields, wantsJson } from "@/server/request-body";
import { crossSiteProblem } from "@/server/same-origin";
import { webDb } from "@/server/web-db";

export const dynamic = "force-dynamic";

const Body = v.variant("intent", [
  v.object({ intent: v.literal("login"), password: v.pipe(v.string(), v.maxLength(1024)) }),
  v.object({ intent: v.literal("logout") }),
]);

/** A wrong password costs this long, so guessing over HTTP is slow. */
const FAILURE_DELAY_MS = 750;

/**
 * `POST /api/admin/session`: `intent=login&password=…` opens an admin
 * session (an 8-hour signed cookie naming a session row), `intent=logout`
 * ends it on the server too, so a copy of the cookie stops working. Failed
 * logins are slowed per client address (the one the deployment vouches for,
 * `clientAddress`) or per browser that has logged in before, and limited
 * overall for the others (`ADMIN_LOGIN_LIMITS`): while a bucket must wait,
 * or past the global limit, every attempt, right password or not, gets 429
 * with `Retry-After`. Form posts are redirected (to
 * `/admin`, or back to the login with `?error=`); JSON posts get `{ admin }`
 * or an error status. Cross-site posts are refused.
 */
export async function POST(request: Request): Promise<Response> {
  const refused = crossSiteProblem(request.headers, request.url);
  if (refused) return problem(403, refused);
  const json = wantsJson(request);
  const parsed = v.safeParse(Body, await readFields(request));
  if (!parsed.success)
    return json ? problem(400, "send intent=login with a password, or intent=logout") : seeOther("/admin/login");
  const secure = isHttps(request);
  const headers = new Headers();
  if (parsed.output.intent === "logout") {
    await endAdminSession(request);
    headers.append("set-cookie", clearAdminCookie({ secure }));
    return json ? Response.json({ admin: false }, { headers }) : seeOther("/admin/login", headers);
  }
  if (env().adminPassword === null) {
    return json ? problem(404, "HERENOW_ADMIN_PASSWORD is not set: the admin page is off") : seeOther("/admin");
  }
  const db = await webDb();
  // A browser that logged in before is its own bucket and skips the global limit, so guesses from
  // elsewhere (or from its own address) cannot lock the admin out; any other goes by its address.
  const known = await knownAdminBrowser(request);
  const bucket = known ?? `client:${clientAddress(request.headers, env().clientAddress) ?? "unknown"}`;
  const limit = { global: known === null };
  const gate = await beginAdminLogin(db, bucket, limit);
  if (!gate.allowed) {
    const minutes = Math.ceil(gate.retryAfterSeconds / 60);
    // a browser's form post goes back to the login page, which says the same in words
    if (!json) return seeOther(`/admin/login?error=too_many_attempts&retry=${minutes}`);
    return problem(429, tooManyAttempts(gate.scope, minutes), { "retry-after": String(gate.retryAfterSeconds) });
  }
  if (!isAdminPassword(parsed.output.password)) {
    await new Promise((resolve) => setTimeout(resolve, FAILURE_DELAY_MS));
    return json ? problem(401, "wrong password") : seeOther("/admin/login?error=wrong_password");
  }
  await adminLoginSucceeded(db, bucket, limit);
  headers.append("set-cookie", await adminCookie({ secure }));
  headers.append("set-cookie", await adminDeviceCookie({ secure }));
  return json ? Response.json({ admin: true }, { headers }) : seeOther("/admin", headers);
}

function tooManyAttempts(scope: "client" | "global", minutes: number): string {
  const { global, globalWindowMs } = ADMIN_LOGIN_LIMITS;
  const why =
    scope === "client"
      ? "each wrong password from this address makes the next wait longer"
      : `at most ${global} from all new addresses together in ${globalWindowMs / 60_000} min; a browser that has logged in before is not held up`;
  return `too many failed admin logins (${why}): try again in ${minutes} min`;
}
