import { isValidRoomName } from "@herenow/core";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { kickAction, unbanAction } from "@/app/admin/actions";
import { ActionButton, type ActionChoice } from "@/components/admin/action-button";
import { ActionStatus } from "@/components/admin/action-status";
import { AdminOff } from "@/components/admin/admin-off";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { LastSeenCard } from "@/components/admin/last-seen-card";
import { RelativeTime } from "@/components/admin/relative-time";
import { env } from "@/env";
import { banUserQuestion, counted, kickConnectionQuestion, kickUserQuestion } from "@/lib/admin-questions";
import { BAN_DURATIONS } from "@/lib/ban-durations";
import { adminRoom, adminRoomBans } from "@/server/admin-data";
import { requireAdmin } from "@/server/page-session";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ room: string }> };

const BAN_CHOICE: ActionChoice = {
  name: "banSeconds",
  label: "Ban for",
  options: BAN_DURATIONS.map(({ seconds, label }) => ({ value: String(seconds), label })),
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { room } = await params;
  return { title: isValidRoomName(room) ? `Admin #${room}` : "Admin" };
}

export default async function AdminRoomPage({ params }: Props) {
  if (env().adminPassword === null) return <AdminOff />;
  await requireAdmin();
  const { room } = await params;
  if (!isValidRoomName(room)) notFound();
  const [{ summary, connections, sessions }, bans] = await Promise.all([adminRoom(room), adminRoomBans(room)]);
  const now = Date.now();
  // the party knows banned users by id only; the names come from who was here
  const names = new Map<string, string>();
  for (const connection of connections) if (connection.user) names.set(connection.user.id, connection.user.name);
  // a kick or a ban closes every connection of the user: the question says how many
  const connectionsOf = new Map<string, number>();
  for (const { user } of connections) if (user) connectionsOf.set(user.id, (connectionsOf.get(user.id) ?? 0) + 1);
  for (const session of sessions) {
    if (session.userId && session.userName && !names.has(session.userId)) names.set(session.userId, session.userName);
  }
  return (
    <div className="admin">
      <p className="small">
        <Link href="/admin">← All rooms</Link>
      </p>
      <header className="admin-header">
        <h1>#{room}</h1>
        <AutoRefresh renderedAt={now} />
        {summary ? (
          <p className="muted small">
            {counted(summary.users, "user")} · {counted(summary.anonymous, "guest")} ·{" "}
            {counted(summary.connections, "connection")} · generation <code>{summary.generation ?? "–"}</code>
          </p>
        ) : (
          <p className="muted small">Not in the database (never used, or pruned).</p>
        )}
      </header>
      <section className="card">
        <h2>Connections</h2>
        <ActionStatus>
          <div className="table-wrap">
            <table className="table table-stack" data-testid="admin-connections">
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
                    <td data-label="User">
                      {connection.user ? (
                        <>
                          {connection.user.name} <code className="small muted">{connection.user.id.slice(0, 10)}</code>
                        </>
                      ) : (
                        <span className="muted">guest</span>
                      )}
                    </td>
                    <td data-label="Connection">
                      <code className="small">{connection.connectionId}</code>
                    </td>
                    <td data-label="Joined">
                      <RelativeTime date={connection.joinedAt} now={now} />
                    </td>
                    <td data-label="Last seen">
                      <RelativeTime date={connection.lastSeenAt} now={now} />
                    </td>
                    <td className="actions">
                      <ActionButton
                        action={kickAction}
                        fields={{ room, connectionId: connection.connectionId }}
                        label="Kick connection"
                        tone="danger"
                        confirm={kickConnectionQuestion(room, connection.user?.name ?? null)}
                      />
                      {connection.user ? (
                        <ActionButton
                          action={kickAction}
                          fields={{ room, userId: connection.user.id }}
                          label="Kick user"
                          tone="danger"
                          testId={`kick-user-${connection.user.name}`}
                          confirm={kickUserQuestion(
                            room,
                            connection.user.name,
                            connectionsOf.get(connection.user.id) ?? 1,
                          )}
                        />
                      ) : null}
                      {connection.user ? (
                        <ActionButton
                          action={kickAction}
                          fields={{ room, userId: connection.user.id }}
                          choice={BAN_CHOICE}
                          label="Kick and ban"
                          tone="danger"
                          testId={`ban-user-${connection.user.name}`}
                          confirm={banUserQuestion(
                            room,
                            connection.user.name,
                            connectionsOf.get(connection.user.id) ?? 1,
                          )}
                        />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </ActionStatus>
      </section>
      <section className="card">
        <h2>Bans</h2>
        <ActionStatus>
          {bans.error !== null ? (
            <p className="form-error">The party did not list the bans: {bans.error}</p>
          ) : bans.bans.length === 0 ? (
            <p className="muted">Nobody is banned from this room.</p>
          ) : (
            <ul className="ban-list" data-testid="admin-bans">
              {bans.bans.map((ban) => {
                const name = names.get(ban.userId);
                const ends = new Date(ban.until);
                return (
                  <li key={ban.userId} className="ban" data-testid="admin-ban" data-user-name={name ?? ""}>
                    <span className="ban-who">
                      {name ?? <span className="muted">unknown name</span>}{" "}
                      <code className="small muted">{ban.userId.slice(0, 10)}</code>
                    </span>
                    <span className="small muted">
                      ends <RelativeTime date={ends} now={now} direction="until" />
                    </span>
                    <ActionButton
                      action={unbanAction}
                      fields={{ room, userId: ban.userId }}
                      label="Lift ban"
                      testId={`lift-ban-${name ?? ban.userId}`}
                    />
                  </li>
                );
              })}
            </ul>
          )}
        </ActionStatus>
      </section>
      <LastSeenCard room={room} connections={connections} sessions={sessions} now={now} />
      <section className="card">
        <h2>Session history</h2>
        <div className="table-wrap">
          <table className="table table-stack" data-testid="admin-sessions">
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
                  <td data-label="User">{session.userName ?? <span className="muted">guest</span>}</td>
                  <td data-label="Connection">
                    <code className="small">{session.connectionId}</code>
                  </td>
                  <td data-label="Joined">
                    <RelativeTime date={session.joinedAt} now={now} />
                  </td>
                  <td data-label="Left">
                    {session.leftAt ? (
                      <RelativeTime date={session.leftAt} now={now} />
                    ) : (
                      <span className="badge">here</span>
                    )}
                  </td>
                  <td data-label="Why">{session.endReason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
