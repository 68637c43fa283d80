import { afterAll, describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/cron/prune/route";
import { closeDatabase, database } from "@/server/db";
import { request } from "./support";

const cronSecret = process.env.CRON_SECRET as string;

afterAll(closeDatabase);

describe("/api/cron/prune", () => {
  it("refuses requests without the cron secret", async () => {
    expect((await GET(request("/api/cron/prune"))).status).toBe(401);
    expect((await GET(request("/api/cron/prune", { headers: { authorization: "Bearer wrong" } }))).status).toBe(401);
    expect(
      (await POST(request("/api/cron/prune", { method: "POST", headers: { authorization: cronSecret } }))).status,
    ).toBe(401);
  });

  it("prunes stale presences and empty rooms with the cron secret", async () => {
    const { store } = database();
    const long = new Date(Date.now() - 10 * 60_000);
    await store.add("stale-room", "c-old", { id: "u_old", name: "Old" }, { at: long });
    await store.add("fresh-room", "c-new", { id: "u_new", name: "New" });

    const response = await GET(request("/api/cron/prune", { headers: { authorization: `Bearer ${cronSecret}` } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ presences: 1, rooms: ["stale-room"] });
    expect((await store.listRooms()).map((room) => room.name)).toEqual(["fresh-room"]);
  });
});
