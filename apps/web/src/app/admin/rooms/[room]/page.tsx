import { isValidRoomName } from "@herenow/core";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionButton } from "../../../../components/admin/action-button";
import { AdminOff } from "../../../../components/admin/admin-off";
import { AutoRefresh } from "../../../../components/admin/auto-refresh";
import { env } from "../../../../env";
import { ago } from "../../../../lib/relative-time";
import { adminRoom } from "../../../../server/admin-data";
import { requireAdmin } from "../../../../server/page-session";
import { kickAction } from "../../actions";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ room: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { room } = await params;
  return { title: isValidRoomName(room) ? `Admin #${room}` : "Admin" };
}

export default async function AdminRoomPage({ params }: Props) {
  if (env().adminPassword === null) return <AdminOff />;
  await requireAdmin();
  const { room } = await params;
  if (!isValidRoomName(room)) notFound();
  const { summary, connections, sessions } = await adminRoom(room);
  const now = Date.now();
  return (
    <div className="admin">
      <AutoRefresh />
      <p className="small">
        <Link href="/admin">← All rooms</Link>
      </p>
      <header className="admin-header">
        <h1>#{room}</h1>
        {summary ? (
          <p className="muted small">
            {summary.users} users · {summary.anonymous} guests · {summary.connections} connections · generation{" "}
            <code>{summary.generation ?? "–"}</code>
          </p>
        ) : (
          <p className="muted small">Not in the database (never used, or pruned).</p>
        )}
      </header>
      <section className="card">
        <h2>Connections</h2>
        <div className="table-wrap">
          <table className="table" data-testid="admin-connections">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Connection</th>
                <th scope="col">Joined</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {connections.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    Nobody is connected.
                  </td>
                </tr>
              ) : null}
              {connections.map((connection) => (
                <tr
                  key={connection.connectionId}
                  data-testid="admin-connection"
                  data-user-name={connection.user?.name ?? ""}
                >
                  <td>
                    {connection.user ? (
                      <>
                        {connection.user.name} <code className="small muted">{connection.user.id.slice(0, 10)}</code>
                      </>
                    ) : (
                      <span className="muted">guest</span>
                    )}
                  </td>
                  <td>
                    <code className="small">{connection.connectionId}</code>
                  </td>
                  <td>{ago(connection.joinedAt, now)}</td>
                  <td>{ago(connection.lastSeenAt, now)}</td>
                  <td className="actions">
                    <ActionButton
                      action={kickAction}
                      fields={{ room, connectionId: connection.connectionId }}
                      label="Kick connection"
                      tone="danger"
                    />
                    {connection.user ? (
                      <ActionButton
                        action={kickAction}
                        fields={{ room, userId: connection.user.id }}
                        label="Kick user"
                        tone="danger"
                        testId={`kick-user-${connection.user.name}`}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card">
        <h2>Session history</h2>
        <div className="table-wrap">
          <table className="table" data-testid="admin-sessions">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Connection</th>
                <th scope="col">Joined</th>
                <th scope="col">Left</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.id}>
                  <td>{session.userName ?? <span className="muted">guest</span>}</td>
                  <td>
                    <code className="small">{session.connectionId}</code>
                  </td>
                  <td>{ago(session.joinedAt, now)}</td>
                  <td>{session.leftAt ? ago(session.leftAt, now) : <span className="badge">here</span>}</td>
                  <td>{session.endReason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
