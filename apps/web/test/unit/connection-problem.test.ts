import { PresenceError, type PresenceSelf } from "@herenow/react";
import { describe, expect, it } from "vitest";
import { connectionProblem, describeStatus } from "@/components/room/connection-status";
import { PartyProblemError } from "@/lib/presence-token-client";

const ann: PresenceSelf = { connectionId: "c1", user: { id: "u-ann", name: "Ann", info: {} } };
const guest: PresenceSelf = { connectionId: "c2", user: null };
const refusedError = new PresenceError("unauthorized", "the server refused the connection");
const base = {
  status: "connecting" as const,
  error: null,
  self: null,
  partyProblem: null,
  tokenWasNull: false,
  signedIn: true,
};

describe("connectionProblem", () => {
  it("sends a misconfiguration to the site's operator, with the route's reason", () => {
    const partyProblem = new PartyProblemError("secret_mismatch", "the party refused the list of bans (HTTP 401)");
    const problem = connectionProblem({ ...base, partyProblem });
    expect(problem).toEqual({
      kind: "misconfigured",
      reason: "secret_mismatch",
      detail: "the party refused the list of bans (HTTP 401)",
    });
    expect(describeStatus("connecting", null, problem).text).toBe("Chat unavailable");
    const misconfigured = new PartyProblemError("party_misconfigured", "HERENOW_SECRET: is not set");
    expect(connectionProblem({ ...base, partyProblem: misconfigured })?.kind).toBe("misconfigured");
  });

  it("says the server is away when the route cannot reach it, and forgets it once a socket opens", () => {
    const partyProblem = new PartyProblemError("party_unreachable", "did not answer");
    expect(connectionProblem({ ...base, status: "reconnecting", partyProblem })?.kind).toBe("unreachable");
    expect(connectionProblem({ ...base, status: "open", self: ann, partyProblem })).toBeNull();
  });

  it("asks to sign in again only when the session ended: refused, or let in as a guest who cannot write", () => {
    const ended = { ...base, tokenWasNull: true };
    expect(connectionProblem({ ...ended, status: "unauthorized", error: refusedError })).toEqual({
      kind: "session_ended",
    });
    expect(connectionProblem({ ...ended, status: "open", self: guest })).toEqual({ kind: "session_ended" });
    // a visitor who was never signed in is a guest on purpose
    expect(connectionProblem({ ...ended, signedIn: false, status: "open", self: guest })).toBeNull();
  });

  it("reads a refusal of a token the route gave as a blocked WebSocket, not an expired session", () => {
    const problem = connectionProblem({ ...base, status: "unauthorized", error: refusedError });
    expect(problem).toMatchObject({ kind: "refused", signedIn: true });
    expect(describeStatus("unauthorized", refusedError, problem).text).toBe("Connection refused");
  });

  it("says this site did not answer when getToken failed otherwise, and nothing while all is well", () => {
    const failed = new PresenceError("token_failed", "getToken failed: Failed to fetch");
    expect(connectionProblem({ ...base, status: "reconnecting", error: failed })?.kind).toBe("site_unreachable");
    expect(connectionProblem({ ...base, status: "open", self: ann })).toBeNull();
    expect(connectionProblem({ ...base })).toBeNull();
  });
});
