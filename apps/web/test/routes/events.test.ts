import { newGeneration, SIGNATURE_HEADER, signWebhook, type WebhookBatch } from "@herenow/core";
import { afterAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/herenow/events/route";
import { GET as rooms } from "@/app/api/rooms/route";
import { adminRoom } from "@/server/admin-data";
import { closeDatabase, database } from "@/server/db";
import type { LobbyRoom } from "@/server/lobby";
import { request } from "./support";

const secret = process.env.HERENOW_SECRET as string;

afterAll(closeDatabase);

function batch(room: string): WebhookBatch {
  const now = Date.now();
  const generation = newGeneration(now);
  const ann = { id: "u_ann", name: "Ann", info: {} };
  return {
    v: 1,
    id: `${generation}:1`,
    room,
    generation,
    seq: 1,
    sentAt: now,
    events: [
      { type: "join", connectionId: "c-1", user: ann, at: now },
      { type: "join", connectionId: "c-2", user: null, at: now },
    ],
    snapshot: [
      { connectionId: "c-1", user: ann, joinedAt: now, lastSeen: now },
      { connectionId: "c-2", user: null, joinedAt: now, lastSeen: now },
    ],
  };
}

function delivery(body: string, signature: string | null): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) headers[SIGNATURE_HEADER] = signature;
  return request("/api/herenow/events", { method: "POST", body, headers });
}

describe("POST /api/herenow/events", () => {
  it("refuses a batch signed with another secret, with no signature, or with an old one", async () => {
    const body = JSON.stringify(batch("forged"));
    const wrongKey = await signWebhook(body, "some-other-secret-0123456789-abcdefghijkl");
    expect((await POST(delivery(body, wrongKey))).status).toBe(401);
    expect((await POST(delivery(body, null))).status).toBe(401);
    const stale = await signWebhook(body, secret, Date.now() - 10 * 60_000);
    expect((await POST(delivery(body, stale))).status).toBe(401);
    // a good signature over a different body
    const other = await signWebhook(JSON.stringify(batch("other")), secret);
    expect((await POST(delivery(body, other))).status).toBe(401);
    const listed = (await (await rooms()).json()) as { rooms: LobbyRoom[] };
    expect(listed.rooms.map((room) => room.name)).not.toContain("forged");
  });

  it("applies a well-signed batch, which the lobby's room list then shows", async () => {
    const body = JSON.stringify(batch("signed-room"));
    const response = await POST(delivery(body, await signWebhook(body, secret)));
    expect(response.status).toBe(200);

    const listed = (await (await rooms()).json()) as { rooms: LobbyRoom[] };
    expect(listed.rooms.find((room) => room.name === "signed-room")).toMatchObject({
      people: 2,
      users: 1,
      anonymous: 1,
    });

    // a retry of the same batch applies once
    const again = await POST(delivery(body, await signWebhook(body, secret)));
    expect(again.status).toBe(200);
    const relisted = (await (await rooms()).json()) as { rooms: LobbyRoom[] };
    expect(relisted.rooms.find((room) => room.name === "signed-room")?.people).toBe(2);
  });

  it("lists only rooms with somebody in them, busiest first; the admin still reads the emptied one", async () => {
    const { store } = database();
    await store.add("emptied-room", "c-9", { id: "u_zed", name: "Zed" });
    await store.add("guests-only", "c-10", null);
    await store.remove("emptied-room", "c-9");

    const listed = (await (await rooms()).json()) as { rooms: LobbyRoom[] };
    const names = listed.rooms.map((room) => room.name);
    expect(names).not.toContain("emptied-room");
    expect(names).toContain("guests-only");
    expect(listed.rooms.every((room) => room.people > 0)).toBe(true);
    // busiest first: a room of two people before guests-only (one)
    await store.add("pair-room", "c-11", { id: "u_amy", name: "Amy" });
    await store.add("pair-room", "c-12", { id: "u_ben", name: "Ben" });
    const ordered = ((await (await rooms()).json()) as { rooms: LobbyRoom[] }).rooms.map((room) => room.name);
    expect(ordered).toEqual(expect.arrayContaining(["pair-room", "guests-only"]));
    expect(ordered.indexOf("pair-room")).toBeLessThan(ordered.indexOf("guests-only"));
    expect((await adminRoom("emptied-room")).summary).toMatchObject({
      users: 0,
      anonymous: 0,
    });
  });
});
