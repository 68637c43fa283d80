import type { PresenceUser } from "@herenow/core";
import type { PresenceMember } from "@herenow/react";
import { away } from "@/lib/relative-time";
import { Avatar } from "./avatar";
import type { ChatPresenceState } from "./types";

/** A person of the online panel: live from the room, or a row of a loaded page of everyone. */
export type OnlineUser = PresenceMember<ChatPresenceState> | PresenceUser;

/** A follow toggle beside a person, in a room too large to list. */
export interface FollowControl {
  following: boolean;
  toggle: () => void;
}

/**
 * One person in the online panel: their avatar and name, "(you)", and, while
 * `live`, a badge when they have several tabs open, "typing…", or, while
 * their status is idle or hidden, dimmed with "away 4 min" (still here, not
 * in front of the room); with `follow`, a Follow toggle.
 *
 * @example
 * <OnlinePerson user={user} isSelf={user.id === selfId} />
 */
export function OnlinePerson({
  user,
  isSelf,
  live = true,
  now,
  testId = "online-user",
  follow,
}: {
  user: OnlineUser;
  isSelf: boolean;
  live?: boolean;
  /** The time "away 4 min" counts to (the list's clock). */
  now: number;
  testId?: string;
  follow?: FollowControl | undefined;
}) {
  const state = user.state as Partial<ChatPresenceState>;
  // an agent (a member without a socket, put by a server) is never "away": it has no page to leave
  const isAgent = user.kind === "agent";
  const isAway = live && !isAgent && user.status !== "active";
  const typing = live && state.typing === true && !isAway;
  return (
    <li
      className={isAway ? "online-user online-user-away" : "online-user"}
      data-testid={testId}
      data-user-name={user.name}
      data-kind={user.kind}
      data-status={live ? user.status : undefined}
      title={
        isAway
          ? `${user.name} is here, ${user.status === "hidden" ? "in another tab or app" : "not using the page"}`
          : undefined
      }
    >
      <Avatar id={user.id} name={user.name} />
      <span className="online-name">
        {user.name}
        {isSelf ? <span className="muted"> (you)</span> : null}
      </span>
      {isAgent ? (
        <span className="badge" title={`${user.name} is an assistant, not a person`} data-testid="agent-badge">
          assistant
        </span>
      ) : null}
      {live && !isAgent && user.connections > 1 ? (
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
      {follow && !isSelf ? (
        <button
          type="button"
          className="follow-button"
          aria-pressed={follow.following}
          onClick={follow.toggle}
          title={follow.following ? `Stop following ${user.name}` : `Follow ${user.name}: see them here live`}
        >
          {follow.following ? "Following" : "Follow"}
        </button>
      ) : null}
    </li>
  );
}
