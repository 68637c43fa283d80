import type { AppMessage, JsonObject } from "@herenow/core";
import type PartySocket from "partysocket";
import { describe, expectTypeOf, it } from "vitest";
import {
  type PresenceError,
  type PresenceErrorCode,
  type PresenceMember,
  type PresenceStatus,
  shallowEqual,
  type UsePresenceOptions,
  type UsePresenceResult,
  usePresence,
  usePresenceUsers,
} from "../src";

describe("usePresence", () => {
  it("returns the room with typed state", () => {
    const result = usePresence<{ typing: boolean; draft: string }>({ room: "lobby" });
    expectTypeOf(result.status).toEqualTypeOf<PresenceStatus>();
    expectTypeOf(result.users[0]!.state).toEqualTypeOf<Partial<{ typing: boolean; draft: string }>>();
    expectTypeOf(result.others).toEqualTypeOf<readonly PresenceMember<{ typing: boolean; draft: string }>[]>();
    expectTypeOf(result.users[0]!.connections).toBeNumber();
    expectTypeOf(result.anonymous).toBeNumber();
    expectTypeOf(result.error).toEqualTypeOf<PresenceError | null>();
    expectTypeOf(result.socket).toEqualTypeOf<PartySocket | null>();
    expectTypeOf(result.self!.user).toEqualTypeOf<{ id: string; name: string; info: JsonObject } | null>();
    result.setState({ typing: true });
    result.setState((state) => ({ typing: !state.typing }));
    // @ts-expect-error typing is a boolean
    result.setState({ typing: "yes" });
    result.send({ type: "chat:send", text: "hi" });
    // @ts-expect-error an application message needs a type
    result.send({ text: "hi" });
  });

  it("defaults to JSON state and takes every documented option", () => {
    expectTypeOf(usePresence({ room: "lobby" })).toEqualTypeOf<UsePresenceResult<JsonObject>>();
    expectTypeOf<UsePresenceOptions>()
      .toHaveProperty("onMessage")
      .toEqualTypeOf<((message: AppMessage) => void) | undefined>();
    usePresence({
      host: "127.0.0.1:1999",
      room: "lobby",
      party: "main",
      getToken: async ({ room }) => `token-for-${room}`,
      heartbeatMs: 20_000,
      idleAfterMs: 60_000,
      enabled: false,
      onMessage: (message) => expectTypeOf(message.type).toBeString(),
    });
    usePresence({ room: "lobby", token: null });
    // @ts-expect-error the room is required
    usePresence({ host: "127.0.0.1:1999" });
    // @ts-expect-error getToken resolves to a string or null
    usePresence({ room: "lobby", getToken: async () => 42 });
  });

  it("names the error codes", () => {
    expectTypeOf<"kicked">().toExtend<PresenceErrorCode>();
    expectTypeOf<"unauthorized">().toExtend<PresenceErrorCode>();
    expectTypeOf<"rate_limited">().toExtend<PresenceErrorCode>();
    expectTypeOf<"teapot">().not.toExtend<PresenceErrorCode>();
  });
});

describe("usePresenceUsers", () => {
  it("returns what the selector selects", () => {
    expectTypeOf(usePresenceUsers("lobby", (users) => users.length)).toBeNumber();
    expectTypeOf(usePresenceUsers("lobby", (users) => users.map((user) => user.name), shallowEqual)).toEqualTypeOf<
      string[]
    >();
    expectTypeOf(usePresenceUsers({ room: "lobby", host: "h" }, (_, room) => room.anonymous)).toBeNumber();
    expectTypeOf(
      usePresenceUsers<boolean[], { typing: boolean }>("lobby", (users) => users.map((u) => u.state.typing === true)),
    ).toEqualTypeOf<boolean[]>();
    const sameText = (a: string, b: string) => a === b;
    // @ts-expect-error isEqual compares two selections
    usePresenceUsers("lobby", (users) => users.length, sameText);
  });
});
