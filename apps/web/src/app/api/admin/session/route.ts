import * as v from "valibot";
import { env } from "@/env";
import { adminCookie, clearAdminCookie, endAdminSession, isAdminPassword } from "@/server/admin-session";
import { isHttps, problem, seeOther } from "@/server/http";
import { ADMIN_LOGIN_LIMITS, adminLoginSucceeded, beginAdminLogin, clientBucket } from "@/server/login-limit";
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
 * logins are limited per client and overall (`ADMIN_LOGIN_LIMITS`): past
 * the limit every attempt, right password or not, gets 429 with
 * `Retry-After` until the window ends. Form posts are redirected (to
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
  const bucket = clientBucket(request.headers);
  const gate = await beginAdminLogin(db, bucket);
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
  await adminLoginSucceeded(db, bucket);
  headers.append("set-cookie", await adminCookie({ secure }));
  return json ? Response.json({ admin: true }, { headers }) : seeOther("/admin", headers);
}

function tooManyAttempts(scope: "client" | "global", minutes: number): string {
  const { perClient, global, windowMs } = ADMIN_LOGIN_LIMITS;
  const limit = scope === "client" ? `${perClient} from one address` : `${global} from all addresses together`;
  return `too many failed admin logins (at most ${limit} in ${windowMs / 60_000} min): try again in ${minutes} min`;
}
