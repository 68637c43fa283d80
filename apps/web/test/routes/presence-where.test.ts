import { afterAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/presence/where/route";
import { closeDatabase, database } from "@/server/db";
import { request } from "./support";

// Issue 29, item 2: where users are, for the app's other servers, behind the shared secret.

const secret = process.env.HERENOW_SECRET as string;

afterAll(closeDatabase);

function ask(body: unknown, authorization: string | null = `Bearer ${secret}`) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization) headers.authorization = authorization;
  return POST(request("/api/presence/where", { method: "POST", headers, body: JSON.stringify(body) }));
}

describe("POST /api/presence/where", () => {
  it("refuses requests without the shared secret", async () => {
    expect((await ask({ userIds: ["u1"] }, null)).status).toBe(401);
    expect((await ask({ userIds: ["u1"] }, "Bearer wrong")).status).toBe(401);
    expect((await ask({ userIds: ["u1"] }, secret)).status).toBe(401);
  });

  it("refuses a body without 1 to 1,000 ids", async () => {
    expect((await ask({})).status).toBe(400);
    expect((await ask({ userIds: [] })).status).toBe(400);
    expect((await ask({ userIds: [""] })).status).toBe(400);
    expect((await ask({ userIds: Array.from({ length: 1001 }, (_, i) => `u${i}`) })).status).toBe(400);
  });

  it("answers each id with its rooms, or when it was last seen", async () => {
    const { store } = database();
    const joined = new Date("2026-12-05T10:00:00Z");
    const left = new Date("2026-12-05T10:05:00Z");
    await store.add("where-lobby", "w1", { id: "where-ann", name: "Ann" }, { at: joined });
    await store.add("where-lobby", "w2", { id: "where-bo", name: "Bo" }, { at: joined });
    await store.remove("where-lobby", "w2", "left", { at: left });

    const response = await ask({ userIds: ["where-ann", "where-bo", "where-nobody"] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      users: {
        "where-ann": { rooms: [{ room: "where-lobby", status: "active", since: joined.getTime() }], lastSeen: null },
        "where-bo": { rooms: [], lastSeen: left.getTime() },
        "where-nobody": { rooms: [], lastSeen: null },
      },
    });
  });
});
