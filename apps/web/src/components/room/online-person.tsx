import type { PresenceUser } from "@herenow/core";
import type { PresenceMember } from "@herenow/react";
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
 * `live`, a badge when they have several tabs open and "typing…" or "idle"
 * from their presence state; with `follow`, a Follow toggle.
 *
 * @example
 * <OnlinePerson user={user} isSelf={user.id === selfId} />
 */
export function OnlinePerson({
  user,
  isSelf,
  live = true,
  testId = "online-user",
  follow,
}: {
  user: OnlineUser;
  isSelf: boolean;
  live?: boolean;
  testId?: string;
  follow?: FollowControl | undefined;
}) {
  const state = user.state as Partial<ChatPresenceState>;
  const idle = live && state.idle === true;
  const typing = live && state.typing === true && !idle;
  return (
    <li
      className={idle ? "online-user online-user-idle" : "online-user"}
      data-testid={testId}
      data-user-name={user.name}
      data-idle={idle ? "true" : undefined}
    >
      <Avatar id={user.id} name={user.name} />
      <span className="online-name">
        {user.name}
        {isSelf ? <span className="muted"> (you)</span> : null}
      </span>
      {live && user.connections > 1 ? (
        <span className="badge" title={`${user.connections} tabs or devices open`} data-testid="tabs-badge">
          {user.connections} tabs
        </span>
      ) : null}
      {typing ? <span className="online-note">typing…</span> : null}
      {idle ? <span className="online-note">idle</span> : null}
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
