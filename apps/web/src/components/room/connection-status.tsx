import type { PresenceError, PresenceStatus } from "@herenow/react";

/** Words and a tone for the connection's state. */
export function describeStatus(
  status: PresenceStatus,
  error: PresenceError | null,
): { text: string; tone: "ok" | "wait" | "bad" } {
  switch (status) {
    case "open":
      return { text: "Live", tone: "ok" };
    case "connecting":
      return { text: "Connecting…", tone: "wait" };
    case "reconnecting":
      return { text: "Reconnecting…", tone: "wait" };
    case "unauthorized":
      return { text: "Refused: sign in again", tone: "bad" };
    case "closed":
      if (error?.code === "kicked") return { text: "Removed by an administrator", tone: "bad" };
      if (error?.code === "policy") return { text: "Disconnected for too many bad messages", tone: "bad" };
      return { text: "Disconnected", tone: "bad" };
  }
}

/** The connection's state, said plainly and announced to screen readers. */
export function ConnectionStatus({ status, error }: { status: PresenceStatus; error: PresenceError | null }) {
  const { text, tone } = describeStatus(status, error);
  return (
    <p className={`status status-${tone}`} role="status" data-testid="connection-status" data-status={status}>
      <span className="status-dot" aria-hidden="true" />
      {text}
    </p>
  );
}
