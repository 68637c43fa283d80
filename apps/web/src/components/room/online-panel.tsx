import type { RecentUser } from "@herenow/core";
import type { PresenceMember } from "@herenow/react";
import { away } from "@/lib/relative-time";
import { Avatar } from "./avatar";
import { RecentlyLeft } from "./recently-left";
import type { ChatPresenceState } from "./types";
import { useNow } from "./use-now";

/**
 * Who is online: each signed-in user once (a badge when they have several
 * tabs open, "typing…", or dimmed with "away 4 min" while idle or hidden:
 * still here, not in front of the room), then the anonymous count, then who
 * left a moment ago.
 */
export function OnlinePanel({
  users,
  anonymous,
  recent,
  selfId,
  selfIsGuest,
  live,
}: {
  users: readonly PresenceMember<ChatPresenceState>[];
  anonymous: number;
  recent: readonly RecentUser[];
  selfId: string | null;
  selfIsGuest: boolean;
  live: boolean;
}) {
  const now = useNow(15_000);
  const total = users.length + anonymous;
  return (
    <section className={live ? "online" : "online online-stale"} aria-labelledby="online-heading" data-testid="online">
      <h2 id="online-heading">Online {live ? <span className="online-count">{total}</span> : null}</h2>
      {total === 0 ? <p className="muted small">{live ? "Nobody yet." : "Not connected right now."}</p> : null}
      <ul className="online-list">
        {users.map((user) => {
          const isAway = user.status !== "active";
          const typing = user.state.typing === true && !isAway;
          return (
            <li
              key={user.id}
              className={isAway ? "online-user online-user-away" : "online-user"}
              data-testid="online-user"
              data-user-name={user.name}
              data-status={user.status}
              title={
                isAway
                  ? `${user.name} is here, ${user.status === "hidden" ? "in another tab or app" : "not using the page"}`
                  : undefined
              }
            >
              <Avatar id={user.id} name={user.name} />
              <span className="online-name">
                {user.name}
                {user.id === selfId ? <span className="muted"> (you)</span> : null}
              </span>
              {user.connections > 1 ? (
                <span className="badge" title={`${user.connections} tabs or devices open`} data-testid="tabs-badge">
                  {user.connections} tabs
                </span>
              ) : null}
              {typing ? <span className="online-note">typing…</span> : null}
              {isAway ? (
                <span className="online-note" data-testid="away-note">
                  {away(user.activeAt, Math.max(now, user.activeAt))}
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
      {anonymous > 0 ? (
        <p className="guests" data-testid="guest-count" data-count={anonymous}>
          {users.length > 0 ? "and " : ""}
          {anonymous} guest{anonymous === 1 ? "" : "s"}
          {selfIsGuest ? <span className="muted"> (you are one)</span> : null}
        </p>
      ) : null}
      <RecentlyLeft recent={recent} now={now} />
    </section>
  );
}
