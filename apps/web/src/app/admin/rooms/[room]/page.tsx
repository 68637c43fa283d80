import { isValidRoomName } from "@herenow/core";
import Link from "next/link";
import { notFound } from "next/navigation";
import { unbanAction } from "@/app/admin/actions";
import { ActionButton } from "@/components/admin/action-button";
import { ActionStatus } from "@/components/admin/action-status";
import { AdminOff } from "@/components/admin/admin-off";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { ConnectionActions } from "@/components/admin/connection-actions";
import { LastSeenCard } from "@/components/admin/last-seen-card";
import { ListSearch } from "@/components/admin/list-search";
import { Pager } from "@/components/admin/pager";
import { PresenceOverview } from "@/components/admin/presence-overview";
import { RelativeTime } from "@/components/admin/relative-time";
import { StayCells } from "@/components/admin/stay-cells";
import { TableHead } from "@/components/admin/table-head";
import { env } from "@/env";
import { counted } from "@/lib/admin-questions";
import { rangeParam } from "@/lib/presence-history";
import { type RoomPageProps, roomTitle } from "@/lib/room-page";
import { CONNECTION_PAGE_SIZE, listHref, roomListParams, showingRange } from "@/lib/room-paging";
import { adminRoom, adminRoomBans } from "@/server/admin-data";
import { adminHistory } from "@/server/admin-history";
import { requireAdmin } from "@/server/page-session";

export const dynamic = "force-dynamic";

export const generateMetadata = roomTitle("Admin ", "Admin");

export default async function AdminRoomPage({ params, searchParams }: RoomPageProps) {
  if (env().adminPassword === null) return <AdminOff />;
  await requireAdmin();
  const { room } = await params;
  if (!isValidRoomName(room)) notFound();
  const query = await searchParams;
  const range = rangeParam(query.range) ?? "hour";
  const [data, bans, history] = await Promise.all([
    adminRoom(room, roomListParams(query)),
    adminRoomBans(room),
    adminHistory(range, room),
  ]);
  const { summary, connections, userConnections, search, page, pageCount, total, sessions } = data;
  const now = Date.now();
  const href = (n: number) => listHref(`/admin/rooms/${room}`, { search, page: n });
  // the party knows banned users by id only; the names come from who is on this page or was here lately
  const names = new Map<string, string>();
  for (const connection of connections) if (connection.user) names.set(connection.user.id, connection.user.name);
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
      <PresenceOverview history={history} href={(r) => `/admin/rooms/${room}?range=${r}`} />
      <section className="card">
        <h2>Connections</h2>
        <ListSearch
          action={`/admin/rooms/${room}`}
          id="connection-search"
          label="Find a connection"
          placeholder="a name, user id or connection id"
          search={search}
        />
        <p className="muted small room-count" data-testid="admin-connections-showing">
          {total === 0 ? null : showingRange(page, total, CONNECTION_PAGE_SIZE, ["connection", "connections"])}
          {search !== "" && total > 0 ? ` matching “${search}”` : null}
        </p>
        <ActionStatus>
          <div className="table-wrap">
            <table className="table table-stack" data-testid="admin-connections">
              <TableHead columns={["User", "Connection", "Joined", "Last seen", { hidden: "Actions" }]} />
              <tbody>
                {connections.length === 0 ? (
                  <tr>
                    <td colSpan={5} className="muted">
                      {search === "" ? "Nobody is connected." : `No connection matches “${search}”.`}
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
                    <StayCells connectionId={connection.connectionId} joinedAt={connection.joinedAt} now={now} />
                    <td data-label="Last seen">
                      <RelativeTime date={connection.lastSeenAt} now={now} />
                    </td>
                    <td className="actions">
                      <ConnectionActions
                        room={room}
                        connectionId={connection.connectionId}
                        user={connection.user ? { id: connection.user.id, name: connection.user.name } : null}
                        userConnections={connection.user ? (userConnections[connection.user.id] ?? 1) : 0}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </ActionStatus>
        <Pager page={page} pageCount={pageCount} href={href} label="Pages of connections" />
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
            <TableHead columns={["User", "Connection", "Joined", "Left", "Why"]} />
            <tbody>
              {sessions.map((session) => (
                <tr key={session.id}>
                  <td data-label="User">{session.userName ?? <span className="muted">guest</span>}</td>
                  <StayCells connectionId={session.connectionId} joinedAt={session.joinedAt} now={now} />
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
