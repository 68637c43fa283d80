import { closeAll, PartyServer, partyFetch, TestClient, token } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureWorker, ROOM_KINDS, SHARDED_VARS } from "./workers";

// PresenceServer's putMember and deleteMember, called by the worker's own code over Durable
// Object RPC (issue 29, item 1): the member is the same as one put over the HTTP API.
let server: PartyServer;
const open: TestClient[] = [];
beforeAll(async () => {
  server = await PartyServer.start(SHARDED_VARS, fixtureWorker("agent-rpc"));
});
afterAll(async () => {
  closeAll(open);
  await server?.dispose();
});

describe.each(ROOM_KINDS)("putMember and deleteMember from the worker, in %s", (_what, prefix) => {
  it("put an assistant that clients see with kind agent, and delete it", async () => {
    const room = `${prefix}-rpc`;
    const client = await TestClient.open(server.url(room, { token: await token({ id: "u-ann", name: "Ann" }) }));
    open.push(client);
    await client.next("presence:sync", 0);
    const put = await partyFetch(`http://${server.host}/assistant/${room}`, { method: "PUT" });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ ok: true, created: true, member: { id: "assistant", kind: "agent" } });
    await client.waitForUsers(["u-ann", "assistant"]);
    expect(client.snapshot.users[1]).toMatchObject({ name: "Assistant", state: { note: "from the worker" } });
    const again = await (await partyFetch(`http://${server.host}/assistant/${room}`, { method: "PUT" })).json();
    expect(again).toMatchObject({ ok: true, created: false });
    const deleted = await partyFetch(`http://${server.host}/assistant/${room}`, { method: "DELETE" });
    expect(await deleted.json()).toEqual({ deleted: true });
    await client.waitForUsers(["u-ann"], 1000);
  });
});
