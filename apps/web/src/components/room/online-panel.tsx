import type { RecentUser } from "@herenow/core";
import type { PresenceMember } from "@herenow/react";
import { countOf, headCount } from "@/lib/head-count";
import { OnlineFold } from "./online-fold";
import { OnlineList } from "./online-list";
import { RecentlyLeft } from "./recently-left";
import type { ChatPresenceState } from "./types";
import { useNow } from "./use-now";

/** Above this many people, a narrow screen folds the list (OnlineFold). */
const FOLD_ABOVE = 5;

/**
 * Who is online: each signed-in user once (a badge when they have several
 * tabs open, "typing…", or dimmed with "away 4 min" while idle or hidden:
 * still here, not in front of the room), then the anonymous count, then who
 * left a moment ago. The number is the lobby's (`headCount`).
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
  const count = headCount(users.length, anonymous);
  const list = (
    <>
      <OnlineList users={users} selfId={selfId} />
      {anonymous > 0 ? (
        <p className="guests" data-testid="guest-count" data-count={anonymous}>
          {users.length > 0 ? "and " : ""}
          {countOf(anonymous, "guest")}
          {selfIsGuest ? <span className="muted"> (you are one)</span> : null}
        </p>
      ) : null}
    </>
  );
  return (
    <section className={live ? "online" : "online online-stale"} aria-labelledby="online-heading" data-testid="online">
      <h2 id="online-heading">
        Online{" "}
        {live ? (
          <span className="online-count" data-testid="head-count" data-count={count.people}>
            {count.total}
          </span>
        ) : null}
      </h2>
      {count.people === 0 ? <p className="muted small">{live ? "Nobody yet." : "Not connected right now."}</p> : null}
      {count.people > FOLD_ABOVE ? (
        <OnlineFold faces={users} label={`Show all ${count.total}`}>
          {list}
        </OnlineFold>
      ) : (
        list
      )}
      <RecentlyLeft recent={recent} now={now} />
    </section>
  );
}
