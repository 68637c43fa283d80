import { CLOSE_CODES } from "@herenow/core";
import { PresenceError } from "./presence-error";
import type { PresenceStatus } from "./room-state";

/**
 * The life of one room connection, free of sockets and timers: what the
 * room shows (`status`, `error`) and what it needs to remember to judge
 * the next event. `RoomConnection` feeds it the socket's events and runs
 * the effects it answers with.
 *
 * connecting ─open→ open ─drop→ reconnecting ─open→ open
 *      │                 ├─4003/4008→ closed (halted)
 *      └─refused→ unauthorized (halted)      leave → closed (halted)
 *                 reconnect() from any state → connecting or reconnecting
 */
export interface ConnectionMachine {
  readonly room: string;
  readonly status: PresenceStatus;
  readonly error: PresenceError | null;
  /** The socket is open right now. */
  readonly live: boolean;
  /** It was open at least once: the next attempt is a reconnect. */
  readonly wasOpen: boolean;
  /** The last close was of an open socket: the error event that may follow belongs to it. */
  readonly closedLive: boolean;
  /** No reconnecting by itself, no heartbeats, no token refreshes until `reconnect`. */
  readonly halted: boolean;
  /** Attempts in a row that failed before the socket opened. */
  readonly failures: number;
  /** A refusal was already retried once with a fresh token. */
  readonly retriedToken: boolean;
  /** An HTTP probe of the room is on its way. */
  readonly probing: boolean;
}

/** What happens to a connection: the socket's events, the probe's answer and the app's calls. */
export type MachineEvent =
  | { type: "open" }
  | { type: "close"; code: number }
  /**
   * An attempt failed. `httpStatus` is the refused upgrade's status where the runtime tells it
   * (`ws` in Node), `timeout` a server that never answered, `tokenFailure` why `getToken` threw.
   */
  | {
      type: "error";
      httpStatus: number | null;
      timeout: boolean;
      tokenFailure: string | null;
      canRefreshToken: boolean;
    }
  /** The HTTP probe came back: `answered` when the server answers HTTP at all. */
  | { type: "probed"; answered: boolean; canRefreshToken: boolean }
  /** The room sent `presence:error`. */
  | { type: "server_error"; error: PresenceError }
  /**
   * Leaving on purpose: `close()` or the last subscriber letting go. Never the page going away
   * (`pagehide`): a browser cannot tell a reload from a closed tab then, and its own 1001 close
   * lets the room tell them apart by whether the user comes back within the away grace.
   */
  | { type: "leave"; why: "close" | "dispose" }
  | { type: "reconnect" }
  /** The app hands over a token other than the one in use. */
  | { type: "token_changed" };

/** What the connection must do after a transition, in order. */
export type ConnectionEffect =
  | "start_heartbeat"
  | "stop_heartbeat"
  /** Heartbeats and token refreshes stop. */
  | "halt"
  /** Custom state is sent afresh on the new socket. */
  | "reset_states"
  /** The presence copy empties (the room shows nobody). */
  | "reset_view"
  /** `presence:leave`, then a 1000 close. */
  | "leave"
  | "close_socket"
  | "reconnect_socket"
  /** The next attempt reads a fresh token. */
  | "refresh_token"
  /** One `no-cors` fetch of the room's URL, answered with a `probed` event. */
  | "probe";

/** A transition's result: the next machine and the effects to run. */
export interface Transition {
  machine: ConnectionMachine;
  effects: ConnectionEffect[];
}

/** A connection that has not tried yet; an invalid room name starts (and stays) closed. */
export function initialMachine(room: string, invalidRoom: string | null): ConnectionMachine {
  const machine: ConnectionMachine = {
    room,
    status: "connecting",
    error: null,
    live: false,
    wasOpen: false,
    closedLive: false,
    halted: false,
    failures: 0,
    retriedToken: false,
    probing: false,
  };
  if (invalidRoom === null) return machine;
  return { ...machine, status: "closed", halted: true, error: new PresenceError("invalid_room", invalidRoom) };
}

const KICKED =
  "an administrator removed this connection from the room (close code 4003); it will not reconnect by itself";
const POLICY =
  "the room closed this connection for sending too many invalid messages (close code 4008); it will not reconnect by itself";

/**
 * The next machine for an event, and the effects to run. Browsers do not
 * show the HTTP status of a refused upgrade, so a refusal is told thus:
 * `ws` (Node) names the status (any 4xx: refused); otherwise, after two
 * failures in a row, a probe checks whether the server answers HTTP at
 * all: if it does, the upgrade was refused; if not, the server or the
 * network is down and the socket keeps retrying. A refusal with `getToken`
 * first retries once with a fresh token.
 *
 * @example
 * const { machine, effects } = transition(initialMachine("lobby", null), { type: "open" });
 * // machine.status === "open"; effects: ["reset_states", "start_heartbeat"]
 */
export function transition(machine: ConnectionMachine, event: MachineEvent): Transition {
  switch (event.type) {
    case "open":
      return {
        machine: {
          ...machine,
          status: "open",
          error: null,
          live: true,
          wasOpen: true,
          failures: 0,
          retriedToken: false,
        },
        effects: ["reset_states", "start_heartbeat"],
      };
    case "close": {
      const closed = { ...machine, live: false, closedLive: machine.live };
      // closes before an open are failed attempts: the error event that follows judges them
      if (!machine.live || machine.halted) return { machine: closed, effects: ["stop_heartbeat"] };
      if (event.code === CLOSE_CODES.kicked || event.code === CLOSE_CODES.policy) {
        const kicked = event.code === CLOSE_CODES.kicked;
        return {
          machine: {
            ...closed,
            status: "closed",
            halted: true,
            error: new PresenceError(kicked ? "kicked" : "policy", kicked ? KICKED : POLICY),
          },
          effects: ["stop_heartbeat", "halt", "reset_view"],
        };
      }
      return { machine: { ...closed, status: "reconnecting" }, effects: ["stop_heartbeat"] };
    }
    case "error": {
      if (machine.live || machine.closedLive || machine.halted) {
        return { machine: { ...machine, closedLive: false }, effects: [] };
      }
      const failed = { ...machine, failures: machine.failures + 1 };
      if (event.tokenFailure !== null) {
        return {
          machine: { ...failed, error: new PresenceError("token_failed", `getToken failed: ${event.tokenFailure}`) },
          effects: [],
        };
      }
      if (event.httpStatus !== null) {
        if (event.httpStatus >= 400 && event.httpStatus < 500) {
          return refused(failed, `HTTP ${event.httpStatus}`, event.canRefreshToken);
        }
        return { machine: failed, effects: [] };
      }
      // a timeout is a server that does not answer, never a refusal
      if (failed.failures >= 2 && !failed.probing && !event.timeout) {
        return { machine: { ...failed, probing: true }, effects: ["probe"] };
      }
      return { machine: failed, effects: [] };
    }
    case "probed": {
      const probed = { ...machine, probing: false };
      if (event.answered && probed.failures > 0 && !probed.halted) {
        return refused(probed, "the server answers HTTP but refused the socket", event.canRefreshToken);
      }
      return { machine: probed, effects: [] };
    }
    case "server_error":
      return { machine: { ...machine, error: event.error }, effects: [] };
    case "leave": {
      const left = { ...machine, halted: true };
      if (event.why === "dispose") return { machine: left, effects: ["halt", "leave"] };
      // a closed room shows nobody
      return { machine: { ...left, status: "closed" }, effects: ["halt", "leave", "reset_view"] };
    }
    case "reconnect":
      return {
        machine: {
          ...machine,
          status: machine.wasOpen ? "reconnecting" : "connecting",
          halted: false,
          failures: 0,
          retriedToken: false,
        },
        effects: ["reconnect_socket"],
      };
    case "token_changed":
      return machine.status === "unauthorized" ? transition(machine, { type: "reconnect" }) : { machine, effects: [] };
  }
}

function refused(machine: ConnectionMachine, why: string, canRefreshToken: boolean): Transition {
  if (canRefreshToken && !machine.retriedToken) {
    // the socket is already on its way to the next attempt, which reads the token again
    return { machine: { ...machine, retriedToken: true }, effects: ["refresh_token"] };
  }
  return {
    machine: {
      ...machine,
      status: "unauthorized",
      halted: true,
      error: new PresenceError(
        "unauthorized",
        `the server refused the connection to room "${machine.room}" (${why}): the token is missing, expired, forged or not good for this room, or the room admits no anonymous connections`,
      ),
    },
    effects: ["halt", "close_socket", "reset_view"],
  };
}
