import type { Presence, Session } from "@herenow/db";
import { RelativeTime } from "@/components/admin/relative-time";
import { peopleWhoLeft } from "@/server/admin-last-seen";

/**
 * "Last seen" for the people of the room's recent history who left it:
 * when they were last anywhere, and where if that was another room.
 *
 * @example
 * <LastSeenCard room={room} connections={connections} sessions={sessions} now={now} />
 */
export async function LastSeenCard({
  room,
  connections,
  sessions,
  now,
}: {
  room: string;
  connections: Presence[];
  sessions: Session[];
  now: number;
}) {
  const left = await peopleWhoLeft(connections, sessions);
  if (left.length === 0) return null;
  return (
    <section className="card">
      <h2>Left</h2>
      <ul className="last-seen-list" data-testid="admin-last-seen">
        {left.map(({ id, name, seen }) => (
          <li key={id}>
            {name}:{" "}
            {seen.here ? (
              <>now in #{seen.room}</>
            ) : (
              <>
                last seen <RelativeTime date={seen.at} now={now} />
                {seen.room === room ? null : <> in #{seen.room}</>}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
