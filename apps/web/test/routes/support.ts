import { POST as adminSession } from "@/app/api/admin/session/route";
import { SESSION_COOKIE, sessionCookie } from "@/server/session";

export const ORIGIN = "http://app.test";

/** A `Request` as a browser on this site would send it. */
export function request(path: string, init: RequestInit & { cookie?: string | null } = {}): Request {
  const headers = new Headers(init.headers);
  headers.set("host", "app.test");
  if (init.cookie) headers.set("cookie", init.cookie);
  return new Request(`${ORIGIN}${path}`, { ...init, headers });
}

/** A form post from this site's own pages. */
export function formPost(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  cookie?: string,
) {
  return request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: ORIGIN,
      "sec-fetch-site": "same-origin",
      ...headers,
    },
    cookie: cookie ?? null,
  });
}

/** The `name=value` part of a `Set-Cookie` header, ready to send back as `Cookie`. */
export function cookieFrom(response: Response): string {
  const header = response.headers.get("set-cookie");
  if (!header) throw new Error("the response sets no cookie");
  return header.split(";")[0] as string;
}

/** A session cookie for a user, as the sign-in route would set it. */
export async function signedIn(user = { id: "u_00000000-test-user", name: "Ann" }): Promise<string> {
  const header = await sessionCookie(user, { secure: false });
  const value = header.split(";")[0] as string;
  if (!value.startsWith(`${SESSION_COOKIE}=`)) throw new Error("unexpected cookie");
  return value;
}

/** An admin session cookie, from the login route with the admin password (the one set for the tests by default). */
export async function adminSignedIn(password = process.env.HERENOW_ADMIN_PASSWORD as string): Promise<string> {
  return cookieFrom(await adminSession(formPost("/api/admin/session", { intent: "login", password })));
}
