import type { PresenceError, PresenceSelf, PresenceStatus } from "@herenow/react";
import type { PartyProblemError } from "@/lib/presence-token-client";

/**
 * What keeps this visitor out of the room, as far as the browser can tell:
 * - `misconfigured`: the token route found the party with another secret or without its settings;
 * - `unreachable`: the token route could not reach the party;
 * - `site_unreachable`: the token route itself did not answer (offline, or this site is down);
 * - `session_ended`: the page was opened signed in, but the route now finds no session;
 * - `refused`: the party refused a socket the route had no objection to: in a browser,
 *   which hides the upgrade's status, most likely a proxy or firewall that blocks WebSockets,
 *   or (for a guest) a room that admits no anonymous connections.
 */
export type ConnectionProblem =
  | { kind: "misconfigured"; reason: string; detail: string }
  | { kind: "unreachable"; detail: string }
  | { kind: "site_unreachable"; detail: string }
  | { kind: "session_ended" }
  | { kind: "refused"; signedIn: boolean; detail: string };

/**
 * Tells the visitor's problem from the hook's state and what the token
 * route last said. `null` when there is none to show.
 *
 * @example
 * const problem = connectionProblem({ status, error, self, partyProblem, tokenWasNull, signedIn: user !== null });
 */
export function connectionProblem({
  status,
  error,
  self,
  partyProblem,
  tokenWasNull,
  signedIn,
}: {
  status: PresenceStatus;
  error: PresenceError | null;
  self: PresenceSelf | null;
  /** The token route's last 503, cleared by its next answer. */
  partyProblem: PartyProblemError | null;
  /** The token route's last answer was "not signed in" (401). */
  tokenWasNull: boolean;
  /** The page was rendered for a signed-in visitor. */
  signedIn: boolean;
}): ConnectionProblem | null {
  if (partyProblem && status !== "open") {
    return partyProblem.misconfigured
      ? { kind: "misconfigured", reason: partyProblem.reason, detail: partyProblem.message }
      : { kind: "unreachable", detail: partyProblem.message };
  }
  // signed out since the page loaded: refused, or let in as a guest who cannot write
  const letInAsGuest = status === "open" && self !== null && self.user === null;
  if (signedIn && tokenWasNull && (status === "unauthorized" || letInAsGuest)) return { kind: "session_ended" };
  if (status === "unauthorized") return { kind: "refused", signedIn, detail: error?.message ?? "refused" };
  if (error?.code === "token_failed" && status !== "open" && status !== "closed") {
    return { kind: "site_unreachable", detail: error.message };
  }
  return null;
}

/** Words and a tone for the connection's state. */
export function describeStatus(
  status: PresenceStatus,
  error: PresenceError | null,
  problem: ConnectionProblem | null = null,
): { text: string; tone: "ok" | "wait" | "bad" } {
  switch (problem?.kind) {
    case "misconfigured":
      return { text: "Chat unavailable", tone: "bad" };
    case "unreachable":
      return { text: "Chat server unreachable", tone: "bad" };
    case "site_unreachable":
      return { text: "Offline?", tone: "bad" };
    case "session_ended":
      return { text: "Signed out", tone: "bad" };
    case "refused":
      return { text: "Connection refused", tone: "bad" };
    case undefined:
      break;
  }
  switch (status) {
    case "open":
      return { text: "Live", tone: "ok" };
    case "connecting":
      return { text: "Connecting…", tone: "wait" };
    case "reconnecting":
      return { text: "Reconnecting…", tone: "wait" };
    case "unauthorized":
      return { text: "Connection refused", tone: "bad" };
    case "closed":
      if (error?.code === "kicked") return { text: "Removed by an administrator", tone: "bad" };
      if (error?.code === "policy") return { text: "Disconnected for too many bad messages", tone: "bad" };
      return { text: "Disconnected", tone: "bad" };
  }
}

/** The connection's state, said plainly and announced to screen readers. */
export function ConnectionStatus({
  status,
  error,
  problem = null,
}: {
  status: PresenceStatus;
  error: PresenceError | null;
  problem?: ConnectionProblem | null;
}) {
  const { text, tone } = describeStatus(status, error, problem);
  return (
    <p
      className={`status status-${tone}`}
      role="status"
      data-testid="connection-status"
      data-status={status}
      data-problem={problem?.kind}
    >
      <span className="status-dot" aria-hidden="true" />
      {text}
    </p>
  );
}
