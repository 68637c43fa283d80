import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AdminOff } from "@/components/admin/admin-off";
import { env } from "@/env";
import { hasAdminSession } from "@/server/page-session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin login" };

export default async function AdminLoginPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string | string[]; retry?: string | string[] }>;
}) {
  if (env().adminPassword === null) return <AdminOff />;
  if (await hasAdminSession()) redirect("/admin");
  const { error, retry } = await searchParams;
  const minutes = typeof retry === "string" && /^\d{1,3}$/.test(retry) ? Number(retry) : null;
  return (
    <section className="card narrow">
      <h1>Admin</h1>
      <form method="post" action="/api/admin/session" className="stack">
        <input type="hidden" name="intent" value="login" />
        <label htmlFor="admin-password">Password</label>
        <input id="admin-password" name="password" type="password" required autoComplete="current-password" />
        {error === "wrong_password" ? (
          <p className="form-error" role="alert">
            That is not the password.
          </p>
        ) : null}
        {error === "too_many_attempts" ? (
          <p className="form-error" role="alert" data-testid="too-many-attempts">
            Too many wrong passwords: logging in is paused
            {minutes === null ? " for a while" : ` for ${minutes} min`}. Try again later.
          </p>
        ) : null}
        <button type="submit">Log in</button>
      </form>
    </section>
  );
}
