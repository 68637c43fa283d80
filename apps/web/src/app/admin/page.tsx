import type { Metadata } from "next";
import Link from "next/link";
import { ActionButton } from "../../components/admin/action-button";
import { AdminOff } from "../../components/admin/admin-off";
import { AutoRefresh } from "../../components/admin/auto-refresh";
import { env } from "../../env";
import { ago } from "../../lib/relative-time";
import { adminRooms } from "../../server/admin-data";
import { requireAdmin } from "../../server/page-session";
import { pruneAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const { adminPassword, maxAgeMs } = env();
  if (adminPassword === null) return <AdminOff />;
  await requireAdmin();
  const rooms = await adminRooms();
  const now = Date.now();
  return (
    <div className="admin">
      <AutoRefresh />
      <header className="admin-header">
        <h1>Rooms</h1>
        <form method="post" action="/api/admin/session">
          <input type="hidden" name="intent" value="logout" />
          <button type="submit" className="link-button">
            Log out
          </button>
        </form>
      </header>
      <div className="table-wrap card">
        <table className="table table-stack" data-testid="admin-rooms">
          <thead>
            <tr>
              <th scope="col">Room</th>
              <th scope="col">Users</th>
              <th scope="col">Guests</th>
              <th scope="col">Connections</th>
              <th scope="col">Last activity</th>
              <th scope="col">Generation</th>
            </tr>
          </thead>
          <tbody>
            {rooms.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No rooms.
                </td>
              </tr>
            ) : null}
            {rooms.map((room) => (
              <tr key={room.name} data-testid="admin-room" data-room={room.name} data-users={room.users}>
                <td data-label="Room">
                  <Link href={`/admin/rooms/${room.name}`}>#{room.name}</Link>
                </td>
                <td data-label="Users">{room.users}</td>
                <td data-label="Guests">{room.anonymous}</td>
                <td data-label="Connections">{room.connections}</td>
                <td data-label="Last activity">
                  <time dateTime={room.lastActivityAt.toISOString()} title={room.lastActivityAt.toISOString()}>
                    {ago(room.lastActivityAt, now)}
                  </time>
                </td>
                <td data-label="Generation">
                  <code className="small">{room.generation ?? "–"}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section className="card">
        <h2>Maintenance</h2>
        <p className="muted small">
          Rooms prune their own stale connections; these clean the database copy by hand (the cron route does both
          hourly).
        </p>
        <div className="actions">
          <ActionButton
            action={pruneAction}
            fields={{ what: "presences" }}
            label={`Prune presences older than ${Math.round(maxAgeMs / 1000)} s`}
          />
          <ActionButton action={pruneAction} fields={{ what: "rooms" }} label="Prune empty rooms" />
        </div>
      </section>
    </div>
  );
}
