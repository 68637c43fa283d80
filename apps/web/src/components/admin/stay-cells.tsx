import { RelativeTime } from "./relative-time";

/**
 * The "Connection" and "Joined" cells of a stay in an admin table (a connection now, or one
 * of the session history).
 *
 * @example
 * <StayCells connectionId="c-1" joinedAt={joinedAt} now={Date.now()} />
 */
export function StayCells({ connectionId, joinedAt, now }: { connectionId: string; joinedAt: Date; now: number }) {
  return (
    <>
      <td data-label="Connection">
        <code className="small">{connectionId}</code>
      </td>
      <td data-label="Joined">
        <RelativeTime date={joinedAt} now={now} />
      </td>
    </>
  );
}
