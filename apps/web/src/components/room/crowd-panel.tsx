"use client";

import type { PresenceUser } from "@herenow/core";
import type { PresenceMember } from "@herenow/react";
import { useState } from "react";
import { formatCount, headCount } from "@/lib/head-count";
import { OnlineFold } from "./online-fold";
import { OnlineList } from "./online-list";
import type { OnlineUser } from "./online-person";
import type { ChatPresenceState } from "./types";
import { useFollows } from "./use-follows";

/**
 * Who is here in a room too large to list (protocol 1.1): the exact head
 * count, the first people to arrive, the people you follow wherever they
 * are, and "Show everyone", which pages through the whole room on demand.
 */
export function CrowdPanel({
  room,
  count,
  anonymous,
  users,
  selfId,
  listed,
  hasMore,
  follow,
  loadMore,
}: {
  room: string;
  count: number;
  anonymous: number;
  users: readonly PresenceMember<ChatPresenceState>[];
  selfId: string | null;
  listed: readonly PresenceUser[];
  hasMore: boolean;
  follow: (ids: readonly string[]) => void;
  loadMore: (limit?: number) => void;
}) {
  const [follows, toggle] = useFollows(room, follow);
  const [showAll, setShowAll] = useState(false);
  const here = headCount(count, anonymous);
  const followed = users.filter((user) => follows.has(user.id));
  const first = users.filter((user) => !follows.has(user.id));
  const followOf = (user: OnlineUser) => ({ following: follows.has(user.id), toggle: () => toggle(user.id) });
  const openEveryone = () => {
    setShowAll(true);
    if (listed.length === 0) loadMore();
  };
  return (
    <section className="online crowd" aria-labelledby="online-heading" data-testid="online" data-crowd="true">
      <h2 id="online-heading">
        <span className="online-count" data-testid="head-count" data-count={here.people}>
          {here.total}
        </span>{" "}
        here
      </h2>
      {anonymous > 0 ? <p className="muted small crowd-detail">{here.detail}</p> : null}
      <OnlineFold faces={[...followed, ...first]} label={`Show who is here (${here.total})`}>
        {followed.length > 0 ? (
          <>
            <h3 className="crowd-heading">Following</h3>
            <OnlineList users={followed} selfId={selfId} followOf={followOf} />
          </>
        ) : null}
        <h3 className="crowd-heading">First to arrive</h3>
        <OnlineList users={first} selfId={selfId} followOf={followOf} />
        {showAll ? (
          <div className="crowd-everyone" data-testid="everyone">
            <h3 className="crowd-heading">Everyone here ({formatCount(listed.length)} loaded)</h3>
            <OnlineList users={listed} selfId={selfId} live={false} testId="everyone-user" followOf={followOf} />
            {hasMore ? (
              <button type="button" onClick={() => loadMore()}>
                Load more
              </button>
            ) : (
              <p className="muted small">That is everyone who was here when the list was loaded.</p>
            )}
          </div>
        ) : (
          <button type="button" onClick={openEveryone} data-testid="show-everyone">
            Show everyone
          </button>
        )}
      </OnlineFold>
    </section>
  );
}
