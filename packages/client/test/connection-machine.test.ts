// The connection's life as a pure machine: every transition, without sockets or timers.
import { describe, expect, it } from "vitest";
import {
  type ConnectionMachine,
  initialMachine,
  type MachineEvent,
  type Transition,
  transition,
} from "../src/connection-machine";
import { PresenceError } from "../src/presence-error";

const failed = (change: Partial<Extract<MachineEvent, { type: "error" }>> = {}): MachineEvent => ({
  type: "error",
  httpStatus: null,
  timeout: false,
  tokenFailure: null,
  canRefreshToken: false,
  ...change,
});

/** Runs events from a machine, returning the last transition (its effects) and the machine. */
function run(events: MachineEvent[], from: ConnectionMachine = initialMachine("lobby", null)): Transition {
  let step: Transition = { machine: from, effects: [] };
  for (const event of events) step = transition(step.machine, event);
  return step;
}

describe("the connection machine", () => {
  it("starts connecting, or closed with an error for a room name the protocol refuses", () => {
    expect(initialMachine("lobby", null)).toMatchObject({ status: "connecting", error: null, halted: false });
    const invalid = initialMachine("no way", "room name is not allowed");
    expect(invalid).toMatchObject({ status: "closed", halted: true });
    expect(invalid.error?.code).toBe("invalid_room");
  });

  it("opens, and clears the error and the failures of earlier attempts", () => {
    const { machine, effects } = run([failed({ tokenFailure: "offline" }), failed(), { type: "open" }]);
    expect(machine).toMatchObject({ status: "open", error: null, live: true, wasOpen: true, failures: 0 });
    expect(effects).toEqual(["reset_states", "start_heartbeat"]);
  });

  it("reconnects after a drop, and the error event that follows the drop changes nothing", () => {
    const dropped = run([{ type: "open" }, { type: "close", code: 1006 }]);
    expect(dropped.machine).toMatchObject({ status: "reconnecting", live: false, closedLive: true });
    expect(dropped.effects).toEqual(["stop_heartbeat"]);
    const after = transition(dropped.machine, failed());
    expect(after.machine).toMatchObject({ status: "reconnecting", failures: 0, closedLive: false });
    expect(after.effects).toEqual([]);
  });

  it.each([
    [4003, "kicked"],
    [4008, "policy"],
  ])("stays closed after a %i, with nobody shown", (code, reason) => {
    const { machine, effects } = run([{ type: "open" }, { type: "close", code }]);
    expect(machine).toMatchObject({ status: "closed", halted: true });
    expect(machine.error?.code).toBe(reason);
    expect(effects).toEqual(["stop_heartbeat", "halt", "reset_view"]);
    // and nothing later moves it, until reconnect()
    expect(run([{ type: "close", code: 1006 }, failed({ httpStatus: 401 })], machine).machine.status).toBe("closed");
    expect(transition(machine, { type: "reconnect" }).machine).toMatchObject({ status: "reconnecting" });
  });

  it("is unauthorized at a 4xx the runtime names, with the room in the message", () => {
    const { machine, effects } = run([failed({ httpStatus: 401 })]);
    expect(machine).toMatchObject({ status: "unauthorized", halted: true });
    expect(machine.error?.message).toMatch(/room "lobby" \(HTTP 401\)/);
    expect(effects).toEqual(["halt", "close_socket", "reset_view"]);
  });

  it("keeps retrying on a 5xx: a server in trouble is not a refusal", () => {
    expect(run([failed({ httpStatus: 503 }), failed({ httpStatus: 502 })]).machine).toMatchObject({
      status: "connecting",
      failures: 2,
      halted: false,
    });
  });

  it("retries a refusal once with a fresh token when it can get one", () => {
    const first = run([failed({ httpStatus: 401, canRefreshToken: true })]);
    expect(first.machine).toMatchObject({ status: "connecting", retriedToken: true });
    expect(first.effects).toEqual(["refresh_token"]);
    const second = transition(first.machine, failed({ httpStatus: 401, canRefreshToken: true }));
    expect(second.machine.status).toBe("unauthorized");
    // a successful open forgets the retry: the next refusal gets its own
    const reopened = run([{ type: "open" }], second.machine);
    expect(reopened.machine.retriedToken).toBe(false);
  });

  it("probes over HTTP after two silent failures, and only a server that answers means refused", () => {
    const once = run([failed()]);
    expect(once.effects).toEqual([]);
    const twice = transition(once.machine, failed());
    expect(twice.effects).toEqual(["probe"]);
    expect(twice.machine.probing).toBe(true);
    // no second probe while one is out
    expect(transition(twice.machine, failed()).effects).toEqual([]);
    const down = transition(twice.machine, { type: "probed", answered: false, canRefreshToken: false });
    expect(down.machine).toMatchObject({ status: "connecting", probing: false });
    const refused = transition(twice.machine, { type: "probed", answered: true, canRefreshToken: false });
    expect(refused.machine.status).toBe("unauthorized");
    expect(refused.machine.error?.message).toMatch(/answers HTTP but refused the socket/);
  });

  it("never probes on timeouts: a server that does not answer is not refusing", () => {
    expect(run([failed({ timeout: true }), failed({ timeout: true }), failed({ timeout: true })]).effects).toEqual([]);
  });

  it("ignores a probe that comes back after the socket opened", () => {
    const opened = run([failed(), failed(), { type: "open" }]);
    const late = transition(opened.machine, { type: "probed", answered: true, canRefreshToken: false });
    expect(late.machine.status).toBe("open");
  });

  it("reports a getToken failure and keeps connecting", () => {
    const { machine } = run([failed({ tokenFailure: "network down" })]);
    expect(machine).toMatchObject({ status: "connecting", halted: false, failures: 1 });
    expect(machine.error?.code).toBe("token_failed");
    expect(machine.error?.message).toBe("getToken failed: network down");
  });

  it("keeps the status when the room answers presence:error", () => {
    const open = run([{ type: "open" }]).machine;
    const error = new PresenceError("state_too_large", "state is larger than 2048 bytes");
    const { machine } = transition(open, { type: "server_error", error });
    expect(machine).toMatchObject({ status: "open", error });
  });

  it("leaves on purpose two ways, neither of them the page going away", () => {
    const open = run([{ type: "open" }]).machine;
    expect(transition(open, { type: "leave", why: "close" })).toEqual({
      machine: { ...open, status: "closed", halted: true },
      effects: ["halt", "leave", "reset_view"],
    });
    expect(transition(open, { type: "leave", why: "dispose" }).machine.status).toBe("open");
    // the close that follows a leave reconnects nothing
    const left = transition(open, { type: "leave", why: "close" }).machine;
    expect(transition(left, { type: "close", code: 1000 }).machine.status).toBe("closed");
  });

  it("reconnects on request, as a first connect if it never opened", () => {
    const refused = run([failed({ httpStatus: 401 })]).machine;
    expect(transition(refused, { type: "reconnect" })).toEqual({
      machine: { ...refused, status: "connecting", halted: false, failures: 0, retriedToken: false },
      effects: ["reconnect_socket"],
    });
  });

  it("retries with a new token only after a refusal", () => {
    const refused = run([failed({ httpStatus: 401 })]).machine;
    expect(transition(refused, { type: "token_changed" }).effects).toEqual(["reconnect_socket"]);
    const open = run([{ type: "open" }]).machine;
    expect(transition(open, { type: "token_changed" })).toEqual({ machine: open, effects: [] });
  });
});
