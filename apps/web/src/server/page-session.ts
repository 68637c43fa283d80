import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { env } from "@/env";
import { ADMIN_COOKIE, isAdminSession } from "./admin-session";
import { crossSiteProblem } from "./same-origin";
import { SESSION_COOKIE, type SessionUser, verifySession } from "./session";

// The request-scoped side of the sessions, for pages, layouts and Server
// Actions (route handlers read the `Cookie` header of their `Request`).

/**
 * The signed-in user of the current request, or `null`.
 *
 * @example
 * const user = await currentUser();
 */
export async function currentUser(): Promise<SessionUser | null> {
  return verifySession((await cookies()).get(SESSION_COOKIE)?.value);
}

/** Whether the current request carries a valid admin session. */
export async function hasAdminSession(): Promise<boolean> {
  return isAdminSession((await cookies()).get(ADMIN_COOKIE)?.value);
}

/**
 * For admin pages and Server Actions: redirects to the login without an
 * admin session (to `/admin`, which explains the setting, when no password
 * is configured), and refuses a cross-site action on top of Next's own
 * Origin check.
 *
 * @example
 * export async function kickAction(form: FormData) { await requireAdmin(); … }
 */
export async function requireAdmin(): Promise<void> {
  if (env().adminPassword === null) redirect("/admin");
  if (!(await hasAdminSession())) redirect("/admin/login");
  const requestHeaders = await headers();
  const refused = crossSiteProblem(requestHeaders, `http://${requestHeaders.get("host") ?? "localhost"}/`);
  if (refused) throw new Error(refused);
}
