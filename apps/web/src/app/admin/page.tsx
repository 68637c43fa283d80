import type { Metadata } from "next";
import Link from "next/link";
import { ActionButton } from "@/components/admin/action-button";
import { AdminOff } from "@/components/admin/admin-off";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { ListSearch } from "@/components/admin/list-search";
import { Pager } from "@/components/admin/pager";
import { PresenceOverview } from "@/components/admin/presence-overview";
import { RelativeTime } from "@/components/admin/relative-time";
import { TableHead } from "@/components/admin/table-head";
import { env } from "@/env";
import { formatCount } from "@/lib/head-count";
import { rangeParam } from "@/lib/presence-history";
import { pruneSchedule } from "@/lib/prune-schedule";
import { roomListHref, roomListParams, showingRange } from "@/lib/room-paging";
import { adminRoomList } from "@/server/admin-data";
import { adminHistory } from "@/server/admin-history";
import { requireAdmin } from "@/server/page-session";
import { pruneAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminPage({ searchParams }: Props) {
  const { adminPassword, maxAgeMs } = env();
  if (adminPassword === null) return <AdminOff />;
  await requireAdmin();
  const params = await searchParams;
  const range = rangeParam(params.range) ?? "hour";
  const [{ rooms, search, page, pageCount, total }, history] = await Promise.all([
    adminRoomList(roomListParams(params)),
    adminHistory(range, null),
  ]);
  const now = Date.now();
  return (
    <div className="admin">
      <header className="admin-header">
        <h1>Rooms</h1>
        <AutoRefresh renderedAt={now} />
        <form method="post" action="/api/admin/session">
          <input type="hidden" name="intent" value="logout" />
          <button type="submit" className="link-button">
            Log out
          </button>
        </form>
      </header>
      <PresenceOverview history={history} href={(r) => `/admin?range=${r}`} />
      <ListSearch action="/admin" id="room-search" label="Find a room" placeholder="part of the name" search={search} />
      <div className="table-wrap card">
        <p className="muted small room-count" data-testid="admin-rooms-showing">
          {total === 0 ? null : showingRange(page, total)}
          {search !== "" && total > 0 ? ` matching “${search}”` : null}
        </p>
        <table className="table table-stack" data-testid="admin-rooms">
          <TableHead columns={["Room", "Users", "Guests", "Connections", "Last activity", "Generation"]} />
          <tbody>
            {rooms.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted" data-testid="admin-rooms-empty">
                  {search === "" ? "No rooms." : `No rooms match “${search}”.`}
                </td>
              </tr>
            ) : null}
            {rooms.map((room) => (
              <tr key={room.name} data-testid="admin-room" data-room={room.name} data-users={room.users}>
                <td data-label="Room">
                  <Link href={`/admin/rooms/${room.name}`}>#{room.name}</Link>
                </td>
                <td data-label="Users">{formatCount(room.users)}</td>
                <td data-label="Guests">{formatCount(room.anonymous)}</td>
                <td data-label="Connections">{formatCount(room.connections)}</td>
                <td data-label="Last activity">
                  <RelativeTime date={room.lastActivityAt} now={now} />
                </td>
                <td data-label="Generation">
                  <code className="small">{room.generation ?? "–"}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager
          page={page}
          pageCount={pageCount}
          href={(n) => roomListHref({ search, page: n })}
          label="Pages of rooms"
        />
      </div>
      <section className="card">
        <h2>Maintenance</h2>
        <p className="muted small">
          Rooms prune their own stale connections; these clean the database copy by hand (the cron route does both{" "}
          {pruneSchedule()}).
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
