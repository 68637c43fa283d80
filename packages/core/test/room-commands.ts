// What a socket does in the property tests of the room model, shared by the test of one room
// model (room-model.property.test.ts) and of a room sharded by person (person-shards.property.test.ts).
import fc from "fast-check";
import type { UserStatus } from "../src/index";

/** One socket's step: each test adds its own (waits, flushes, restarts, follows) and weights. */
export type SocketCommand =
  | { type: "connect"; socket: number; renamed: boolean }
  | { type: "leave"; socket: number }
  /** A leave and a connect of the same socket within one interval: the user's stay may begin again. */
  | { type: "rejoin"; socket: number }
  | { type: "close"; socket: number; kind: "away" | "lost" }
  | { type: "state"; socket: number; value: number }
  | { type: "status"; socket: number; status: UserStatus };

/** The arbitrary of each socket step over `socket`, for `fc.oneof` with a test's own weights. */
export function socketCommands(socket: fc.Arbitrary<number>) {
  return {
    connect: fc.record({ type: fc.constant("connect" as const), socket, renamed: fc.boolean() }),
    leave: fc.record({ type: fc.constant("leave" as const), socket }),
    rejoin: fc.record({ type: fc.constant("rejoin" as const), socket }),
    close: fc.record({ type: fc.constant("close" as const), socket, kind: fc.constantFrom("away", "lost") }),
    state: fc.record({ type: fc.constant("state" as const), socket, value: fc.nat({ max: 2 }) }),
    status: fc.record({
      type: fc.constant("status" as const),
      socket,
      status: fc.constantFrom<UserStatus>("active", "idle", "hidden"),
    }),
  };
}

/** The steps with each `rejoin` as what it stands for: a leave and a connect of the same socket. */
export function expandRejoins<C>(commands: readonly (C | SocketCommand)[]): (C | SocketCommand)[] {
  return commands.flatMap((step) =>
    typeof step === "object" && step !== null && "type" in step && step.type === "rejoin"
      ? [
          { type: "leave" as const, socket: step.socket },
          { type: "connect" as const, socket: step.socket, renamed: false },
        ]
      : [step],
  );
}
