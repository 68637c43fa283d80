import { closeAll, PartyServer, partyFetch, SECRET, TestClient, token } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureWorker } from "./workers";

// The extension contract of PresenceServer: an app overrides PartyServer's handlers without
// calling super, and presence keeps working, with the app seeing only what is its own.
let server: PartyServer;
const open: TestClient[] = [];
beforeAll(async () => {
  server = await PartyServer.start({}, fixtureWorker("extended"));
});
afterAll(async () => {
  closeAll(open);
  await server?.dispose();
});

async function connect(user: { id: string; name: string }, query: Record<string, string> = {}) {
  const client = await TestClient.open(server.url("ext", { token: await token(user), ...query }));
  open.push(client);
  await client.next("presence:sync", 0);
  return client;
}

describe("a PresenceServer subclass that overrides every handler", () => {
  it("keeps presence, adds the app's tags, and hands the app only application frames", async () => {
    const ann = await connect({ id: "u-ann", name: "Ann" }, { team: "red" });
    const bo = await connect({ id: "u-bo", name: "Bo" }, { team: "blue" });
    await ann.waitForUsers(["u-ann", "u-bo"]);
    const hello = await ann.next("app:hello", 0);
    // presence's own tags first, the app's added
    expect(hello.tags).toEqual(expect.arrayContaining(["hn-u:u-ann", "team:red"]));

    // presence frames are answered by presence and never reach the app's onMessage
    ann.send('"heartbeat"');
    await ann.next("presence:pong");
    ann.send({ type: "presence:state", state: { typing: true } });
    await bo.waitFor(() => bo.snapshot.users.find((u) => u.id === "u-ann")?.state.typing === true);
    const from = bo.messages.length;
    bo.send({ type: "app:team" });
    const echo = await bo.next("app:echo", from);
    expect(echo.seen).toEqual(["start", 'message:{"type":"app:team"}']);
    await ann.next("app:red", 0);

    // the app's onClose runs, after presence's own: Bo leaves
    bo.send({ type: "presence:leave" });
    await ann.waitForUsers(["u-ann"]);

    // the room API stays presence's; other paths are the app's
    const api = await partyFetch(server.httpUrl("ext"), { headers: { authorization: `Bearer ${SECRET}` } });
    expect(await api.json()).toMatchObject({ room: "ext", connections: 1 });
    const own = await partyFetch(server.httpUrl("ext", "stats"), { headers: { authorization: `Bearer ${SECRET}` } });
    expect(await own.json()).toMatchObject({
      path: "/parties/main/ext/stats",
      seen: expect.arrayContaining(["close"]),
    });
  });
});
