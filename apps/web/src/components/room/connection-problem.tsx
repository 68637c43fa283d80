import type { ReactNode } from "react";
import { SignInForm } from "@/components/sign-in-form";
import type { ConnectionProblem } from "./connection-status";

/**
 * What went wrong with the connection, in plain words, with the one action
 * that helps: sign in again, retry, or tell the site's operator (with the
 * technical reason to pass on, which only they can act on).
 */
export function ConnectionProblemBanner({
  problem,
  room,
  onRetry,
}: {
  problem: ConnectionProblem;
  room: string;
  onRetry: () => void;
}) {
  const retry = (label: string) => (
    <button type="button" onClick={onRetry}>
      {label}
    </button>
  );
  const banner = (children: ReactNode, action: ReactNode) => (
    <div
      className="banner banner-bad connection-problem"
      role="alert"
      data-testid="connection-problem"
      data-kind={problem.kind}
    >
      <div className="connection-problem-text">{children}</div>
      {action}
    </div>
  );

  switch (problem.kind) {
    case "misconfigured":
      return banner(
        <>
          <p>
            <strong>The chat cannot connect because this site is not set up correctly.</strong> Nothing on your side
            will fix it: please contact the site's operator and pass on the details below.
          </p>
          <details className="connection-problem-details">
            <summary>Technical details</summary>
            <code data-testid="problem-detail">
              {problem.reason}: {problem.detail}
            </code>
          </details>
        </>,
        retry("Try again"),
      );
    case "unreachable":
      return banner(
        <p>
          <strong>The chat server is not answering.</strong> It may be restarting or down. This page keeps trying by
          itself.
        </p>,
        retry("Retry now"),
      );
    case "site_unreachable":
      return banner(
        <p>
          <strong>This site did not answer when the chat asked to connect.</strong> Check your internet connection; this
          page keeps trying by itself.
        </p>,
        retry("Retry now"),
      );
    case "session_ended":
      return banner(
        <p>
          <strong>Your session has ended.</strong> Sign in again to keep chatting.
        </p>,
        <SignInForm returnTo={`/rooms/${room}`} label="Sign in again" compact />,
      );
    case "refused":
      return banner(
        <p>
          <strong>The chat server refused the connection.</strong>{" "}
          {problem.signedIn
            ? "A proxy, firewall or browser extension on your network may be blocking WebSockets, which the chat needs."
            : "This room may not admit guests (sign in below), or a proxy, firewall or browser extension may be blocking WebSockets, which the chat needs."}
        </p>,
        retry("Retry"),
      );
  }
}
