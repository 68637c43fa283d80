import type { RoomSnapshot } from "@herenow/core";
import { describe, expect, it } from "vitest";
import { presenceOnBeforeConnect, presenceOnBeforeRequest } from "../src/gate";
import { handleRoomRequest, type RoomApi } from "../src/http-api";
import type { Ban } from "../src/room-bans";

// The room API and the worker's gates against a plain object: no runtime needed.
const secret = "s".repeat(40);
const env = { HERENOW_SECRET: secret };

function fakeRoom() {
  const calls: string[] = [];
  const bans = new Map<string, number>();
  const room: RoomApi = {
    secret,
    snapshot: (): RoomSnapshot => ({ room: "r", seq: 3, users: [], anonymous: 1, connections: 1 }),
    kick: async (target) => {
      calls.push(`kick ${JSON.stringify(target)}`);
      return 2;
    },
    ban: async (userId, seconds) => {
      calls.push(`ban ${userId} ${seconds}`);
      bans.set(userId, seconds);
    },
    bans: async (): Promise<Ban[]> => [...bans].map(([userId, until]) => ({ userId, until })),
    unban: async (userId) => bans.delete(userId),
  };
  return { room, calls };
}

const request = (path: string, init: RequestInit & { auth?: string | null } = {}) =>
  new Request(`http://party/parties/main/r${path}`, {
    ...init,
    headers: init.auth === null ? {} : { authorization: `Bearer ${init.auth ?? secret}` },
  });

describe("handleRoomRequest", () => {
  it("refuses a missing or wrong bearer with 401 and touches nothing", async () => {
    const { room, calls } = fakeRoom();
    for (const auth of [null, "wrong", secret.slice(1)]) {
      const response = await handleRoomRequest(request("/kick", { method: "POST", auth, body: "{}" }), room);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
    }
    expect(calls).toEqual([]);
  });

  it("bans before it kicks, so a reconnect racing the kick is refused", async () => {
    const { room, calls } = fakeRoom();
    const body = JSON.stringify({ userId: "u1", banSeconds: 60 });
    const response = await handleRoomRequest(request("/kick", { method: "POST", body }), room);
    expect(await response.json()).toEqual({ closed: 2 });
    expect(calls).toEqual(["ban u1 60", 'kick {"userId":"u1"}']);
  });

  it("answers the protocol's statuses for methods, paths and bodies", async () => {
    const { room } = fakeRoom();
    const cases: [string, RequestInit, number][] = [
      ["", {}, 200],
      ["", { method: "POST" }, 405],
      ["/kick", { method: "GET" }, 405],
      ["/kick", { method: "POST", body: "{" }, 400],
      ["/kick", { method: "POST", body: '{"userId":""}' }, 400],
      ["/kick", { method: "POST", body: '{"connectionId":"c","banSeconds":5}' }, 400],
      ["/bans", {}, 200],
      ["/unban", { method: "POST", body: '{"userId":"u1"}' }, 200],
      ["/unban", { method: "POST", body: '{"user":"u1"}' }, 400],
      ["/kick/more", { method: "POST" }, 404],
      ["/explode", {}, 404],
    ];
    for (const [path, init, status] of cases) {
      const response = await handleRoomRequest(request(path, init), room);
      expect({ path, method: init.method ?? "GET", status: response.status }).toEqual({
        path,
        method: init.method ?? "GET",
        status,
      });
    }
  });
});

describe("the worker's gates", () => {
  it("refuses HTTP requests without the bearer or for a bad room name before any room wakes", async () => {
    const unauthorised = await presenceOnBeforeRequest(request("", { auth: null }), { name: "r" }, env);
    expect(unauthorised).toBeInstanceOf(Response);
    expect((unauthorised as Response).status).toBe(401);
    const badName = await presenceOnBeforeRequest(request(""), { name: ".." }, env);
    expect((badName as Response).status).toBe(400);
    const passed = await presenceOnBeforeRequest(request(""), { name: "r" }, env);
    expect(passed).toBeInstanceOf(Request);
  });

  it("names the missing secret with 500 instead of letting anything through", async () => {
    const refused = await presenceOnBeforeConnect(new Request("http://party/parties/main/r"), { name: "r" }, {});
    expect(refused?.status).toBe(500);
    expect(await refused?.text()).toContain("HERENOW_SECRET");
  });

  it("lets an anonymous WebSocket through and refuses a forged token with 401", async () => {
    expect(await presenceOnBeforeConnect(new Request("http://party/parties/main/r"), { name: "r" }, env)).toBe(
      undefined,
    );
    const forged = await presenceOnBeforeConnect(
      new Request("http://party/parties/main/r?token=a.b.c"),
      { name: "r" },
      env,
    );
    expect(forged?.status).toBe(401);
  });
});
