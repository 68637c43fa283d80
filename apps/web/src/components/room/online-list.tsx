import { type FollowControl, OnlinePerson, type OnlineUser } from "./online-person";
import { useNow } from "./use-now";

/**
 * A list of people in the online panel, one `OnlinePerson` each. With
 * `followOf`, each row but your own carries a Follow toggle.
 *
 * @example
 * <OnlineList users={users} selfId={selfId} />
 */
export function OnlineList({
  users,
  selfId,
  live = true,
  testId,
  followOf,
}: {
  users: readonly OnlineUser[];
  selfId: string | null;
  live?: boolean;
  testId?: string;
  followOf?: ((user: OnlineUser) => FollowControl) | undefined;
}) {
  // one clock for the list's "away 4 min"
  const now = useNow(15_000);
  return (
    <ul className="online-list">
      {users.map((user) => (
        <OnlinePerson
          key={user.id}
          user={user}
          isSelf={user.id === selfId}
          live={live}
          now={now}
          testId={testId}
          follow={followOf?.(user)}
        />
      ))}
    </ul>
  );
}
