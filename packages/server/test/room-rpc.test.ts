import { describe, expect, expectTypeOf, it } from "vitest";
import type { PresenceServer } from "../src/presence-server";
import { presenceNamespace, type RoomNamespace, type RoomRpc, roomMembers, roomStub } from "../src/room-rpc";

// The calls between presence objects are one interface (issue 26, item 2): PresenceServer implements
// it and every caller goes through roomStub, so a call renamed on one side fails the typecheck
// (`npm run typecheck` checks this file: the expectations below are types, the @ts-expect-error too).

/** A namespace whose objects are `object`: what roomStub hands back must answer every call. */
function namespaceOf(object: object): RoomNamespace & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    idFromName: (name) => {
      asked.push(name);
      return { name, toString: () => name, equals: () => false };
    },
    get: () => object,
  };
}

/** An object with every call of RoomRpc, each answering its own name. */
function fullObject(): RoomRpc {
  const answer = (name: string) => async () => name as never;
  return {
    herenowReport: answer("herenowReport"),
    herenowPublished: answer("herenowPublished"),
    herenowIsAgent: answer("herenowIsAgent"),
    herenowBanUntil: answer("herenowBanUntil"),
    herenowRelay: answer("herenowRelay"),
    herenowPage: answer("herenowPage"),
    herenowPush: answer("herenowPush"),
    herenowHasUser: answer("herenowHasUser"),
    herenowRefresh: answer("herenowRefresh"),
    herenowKick: answer("herenowKick"),
    herenowBroadcast: answer("herenowBroadcast"),
    herenowOwnPage: answer("herenowOwnPage"),
    herenowOwnConnections: answer("herenowOwnConnections"),
    putMember: answer("putMember"),
    deleteMember: answer("deleteMember"),
  };
}

describe("RoomRpc", () => {
  it("is what PresenceServer answers, call for call", () => {
    expectTypeOf<PresenceServer>().toExtend<RoomRpc>();
    expectTypeOf<PresenceServer["herenowReport"]>().toEqualTypeOf<RoomRpc["herenowReport"]>();
    expectTypeOf<PresenceServer["herenowKick"]>().toEqualTypeOf<RoomRpc["herenowKick"]>();
    expectTypeOf<PresenceServer["putMember"]>().toEqualTypeOf<RoomRpc["putMember"]>();
  });

  it("roomStub offers RoomRpc's calls and no other", () => {
    const stub = roomStub(namespaceOf(fullObject()), "lobby~3");
    expectTypeOf(stub).toEqualTypeOf<RoomRpc>();
    // @ts-expect-error a call renamed on the server is no call of the stub's
    expect(stub.herenowReported).toBeUndefined();
  });

  it("roomStub reaches the object by name, and refuses one that does not answer every call", async () => {
    const namespace = namespaceOf(fullObject());
    expect(await roomStub(namespace, "lobby~3").herenowPush("{}")).toBe("herenowPush");
    expect(namespace.asked).toEqual(["lobby~3"]);
    const { herenowRefresh: _, ...partial } = fullObject();
    expect(() => roomStub(namespaceOf(partial), "lobby")).toThrow(/lobby does not answer herenow's calls/);
  });

  it("roomMembers is the room's own object, over the same stub", async () => {
    const members = await roomMembers(namespaceOf(fullObject()), "lobby");
    expect(await members.deleteMember("bot")).toBe("deleteMember");
  });

  it("presenceNamespace finds the rooms' binding: the only one, or the one HERENOW_BINDING names", () => {
    const rooms = namespaceOf(fullObject());
    const other = namespaceOf(fullObject());
    expect(presenceNamespace({ Main: rooms, HERENOW_SECRET: "x" })).toBe(rooms);
    expect(presenceNamespace({ Main: rooms, Other: other, HERENOW_BINDING: "Other" })).toBe(other);
    expect(() => presenceNamespace({ Main: rooms, Other: other })).toThrow(/set HERENOW_BINDING/);
    expect(() => presenceNamespace({ Main: rooms, HERENOW_BINDING: "Nope" })).toThrow(/names Nope/);
  });
});
