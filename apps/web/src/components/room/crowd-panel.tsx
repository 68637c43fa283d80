"use client";

import type { PresenceUser } from "@herenow/core";
import type { PresenceMember } from "@herenow/react";
import { useState } from "react";
import { Avatar } from "./avatar";
import type { ChatPresenceState } from "./types";
import { useFollows } from "./use-follows";

const numbers = new Intl.NumberFormat("en-US");

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
  const followed = users.filter((user) => follows.has(user.id));
  const first = users.filter((user) => !follows.has(user.id));
  const openEveryone = () => {
    setShowAll(true);
    if (listed.length === 0) loadMore();
  };
  const row = (user: PresenceUser, live: boolean) => (
    <li
      key={user.id}
      className="online-user"
      data-testid={live ? "online-user" : "everyone-user"}
      data-user-name={user.name}
    >
      <Avatar id={user.id} name={user.name} />
      <span className="online-name">
        {user.name}
        {user.id === selfId ? <span className="muted"> (you)</span> : null}
      </span>
      {user.id === selfId ? null : (
        <button
          type="button"
          className="follow-button"
          aria-pressed={follows.has(user.id)}
          onClick={() => toggle(user.id)}
          title={follows.has(user.id) ? `Stop following ${user.name}` : `Follow ${user.name}: see them here live`}
        >
          {follows.has(user.id) ? "Following" : "Follow"}
        </button>
      )}
    </li>
  );
  return (
    <section className="online crowd" aria-labelledby="online-heading" data-testid="online" data-crowd="true">
      <h2 id="online-heading">
        <span className="online-count" data-testid="head-count" data-count={count}>
          {numbers.format(count)}
        </span>{" "}
        here
        {anonymous > 0 ? <span className="muted small"> and {numbers.format(anonymous)} guests</span> : null}
      </h2>
      {followed.length > 0 ? (
        <>
          <h3 className="crowd-heading">Following</h3>
          <ul className="online-list">{followed.map((user) => row(user, true))}</ul>
        </>
      ) : null}
      <h3 className="crowd-heading">First to arrive</h3>
      <ul className="online-list">{first.map((user) => row(user, true))}</ul>
      {showAll ? (
        <div className="crowd-everyone" data-testid="everyone">
          <h3 className="crowd-heading">Everyone here ({numbers.format(listed.length)} loaded)</h3>
          <ul className="online-list">{listed.map((user) => row(user, false))}</ul>
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
    </section>
  );
}
