"use client";

import { kickAction } from "@/app/admin/actions";
import { banUserQuestion, kickConnectionQuestion, kickUserQuestion } from "@/lib/admin-questions";
import { BAN_DURATIONS } from "@/lib/ban-durations";
import { ActionButton, type ActionChoice } from "./action-button";

const BAN_CHOICE: ActionChoice = {
  name: "banSeconds",
  label: "Ban for",
  options: BAN_DURATIONS.map(({ seconds, label }) => ({ value: String(seconds), label })),
};

/**
 * The controls of one connection on a room's admin page: kick the
 * connection and, for a signed-in user, kick the user or kick and ban them,
 * each asking first. One client component a row, built here from a few
 * plain props rather than three buttons with their questions built on the
 * server: the page of a big room draws 50 rows every 3 s.
 *
 * @example
 * <ConnectionActions room="lobby" connectionId="c-1" user={{ id: "u1", name: "Ann" }} userConnections={2} />
 */
export function ConnectionActions({
  room,
  connectionId,
  user,
  userConnections,
}: {
  room: string;
  connectionId: string;
  user: { id: string; name: string } | null;
  /** The user's connections in the whole room: a kick of the user closes them all. */
  userConnections: number;
}) {
  return (
    <>
      <ActionButton
        action={kickAction}
        fields={{ room, connectionId }}
        label="Kick connection"
        tone="danger"
        confirm={kickConnectionQuestion(room, user?.name ?? null)}
      />
      {user ? (
        <>
          <ActionButton
            action={kickAction}
            fields={{ room, userId: user.id }}
            label="Kick user"
            tone="danger"
            testId={`kick-user-${user.name}`}
            confirm={kickUserQuestion(room, user.name, userConnections)}
          />
          <ActionButton
            action={kickAction}
            fields={{ room, userId: user.id }}
            choice={BAN_CHOICE}
            label="Kick and ban"
            tone="danger"
            testId={`ban-user-${user.name}`}
            confirm={banUserQuestion(room, user.name, userConnections)}
          />
        </>
      ) : null}
    </>
  );
}
