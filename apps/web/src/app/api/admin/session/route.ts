import * as v from "valibot";
import { env } from "../../../../env";
import { adminCookie, clearAdminCookie, isAdminPassword } from "../../../../server/admin-session";
import { isHttps, problem, seeOther } from "../../../../server/http";
import { readFields, wantsJson } from "../../../../server/request-body";
import { crossSiteProblem } from "../../../../server/same-origin";

export const dynamic = "force-dynamic";

const Body = v.variant("intent", [
  v.object({ intent: v.literal("login"), password: v.pipe(v.string(), v.maxLength(1024)) }),
  v.object({ intent: v.literal("logout") }),
]);

/** A wrong password costs this long, so guessing over HTTP is slow. */
const FAILURE_DELAY_MS = 750;

/**
 * `POST /api/admin/session`: `intent=login&password=…` opens an admin
 * session (an 8-hour signed cookie), `intent=logout` ends it. Form posts are
 * redirected (to `/admin`, or back to the login with `?error=`); JSON posts
 * get `{ admin }` or an error status. Cross-site posts are refused.
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
    headers.append("set-cookie", clearAdminCookie({ secure }));
    return json ? Response.json({ admin: false }, { headers }) : seeOther("/admin/login", headers);
  }
  if (env().adminPassword === null) {
    return json ? problem(404, "HERENOW_ADMIN_PASSWORD is not set: the admin page is off") : seeOther("/admin");
  }
  if (!isAdminPassword(parsed.output.password)) {
    await new Promise((resolve) => setTimeout(resolve, FAILURE_DELAY_MS));
    return json ? problem(401, "wrong password") : seeOther("/admin/login?error=wrong_password");
  }
  headers.append("set-cookie", await adminCookie({ secure }));
  return json ? Response.json({ admin: true }, { headers }) : seeOther("/admin", headers);
}
