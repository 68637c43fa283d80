import { MIN_ADMIN_PASSWORD } from "@/env";

/** What /admin shows when HERENOW_ADMIN_PASSWORD is not set: how to turn it on, and nothing else. */
export function AdminOff() {
  return (
    <section className="card narrow" data-testid="admin-off">
      <h1>The admin page is off</h1>
      <p>
        Set <code>HERENOW_ADMIN_PASSWORD</code> in the web app&apos;s environment and restart it, for example:
      </p>
      <pre>
        <code>HERENOW_ADMIN_PASSWORD=&apos;a long passphrase&apos; npm run dev</code>
      </pre>
      <p className="muted">
        Use at least {MIN_ADMIN_PASSWORD} characters, in development as in production; in development it can live in{" "}
        <code>apps/web/.env.local</code>.
      </p>
    </section>
  );
}
