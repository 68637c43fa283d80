import type { PresenceMember } from "@herenow/react";
import { Avatar } from "./avatar";
import type { ChatPresenceState } from "./types";

/**
 * Who is online: each signed-in user once (a badge when they have several
 * tabs open, "typing…" or "idle" from their presence state), then the
 * anonymous count.
 */
export function OnlinePanel({
  users,
  anonymous,
  selfId,
  selfIsGuest,
  live,
}: {
  users: readonly PresenceMember<ChatPresenceState>[];
  anonymous: number;
  selfId: string | null;
  selfIsGuest: boolean;
  live: boolean;
}) {
  const total = users.length + anonymous;
  return (
    <section className={live ? "online" : "online online-stale"} aria-labelledby="online-heading" data-testid="online">
      <h2 id="online-heading">Online {live ? <span className="online-count">{total}</span> : null}</h2>
      {total === 0 ? <p className="muted small">{live ? "Nobody yet." : "Not connected right now."}</p> : null}
      <ul className="online-list">
        {users.map((user) => {
          const idle = user.state.idle === true;
          const typing = user.state.typing === true && !idle;
          return (
            <li
              key={user.id}
              className={idle ? "online-user online-user-idle" : "online-user"}
              data-testid="online-user"
              data-user-name={user.name}
              data-idle={idle ? "true" : undefined}
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
              {idle ? <span className="online-note">idle</span> : null}
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
    </section>
  );
}
