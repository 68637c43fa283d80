import { closeAll, PartyServer, partyFetch, SECRET, TestClient, token } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureWorker, ROOM_KINDS } from "./workers";

// Protocol 1.2: the bare "heartbeat" frame is answered by the runtime itself (Durable Objects'
// WebSocket auto-response) without waking the room, and the room's prune reads when it last did.
// The fixture's rooms count the frames the runtime hands their code (max age 3 s there).
let server: PartyServer;
const open: TestClient[] = [];
beforeAll(async () => {
  server = await PartyServer.start({}, fixtureWorker("counting"));
});
afterAll(async () => {
  closeAll(open);
  await server?.dispose();
});

async function connect(room: string, id: string): Promise<TestClient> {
  const client = await TestClient.open(server.url(room, { token: await token({ id, name: id }), _pk: id }));
  open.push(client);
  await client.next("presence:sync", 0);
  return client;
}

async function framesHandled(room: string): Promise<number> {
  const response = await partyFetch(server.httpUrl(room, "frames"), { headers: { authorization: `Bearer ${SECRET}` } });
  return ((await response.json()) as { frames: number }).frames;
}

/** Every text frame the client receives from now on, as it came. */
function rawFrames(client: TestClient): string[] {
  const frames: string[] = [];
  client.ws.on("message", (data) => frames.push(data.toString()));
  return frames;
}

const pongs = (client: TestClient) => client.messages.filter((message) => message.type === "presence:pong").length;

describe.each(ROOM_KINDS)("heartbeats in %s", (_what, prefix) => {
  it("answers 100 bare heartbeats with exactly the pong, waking the room for none of them", async () => {
    const room = `${prefix}-beats`;
    const client = await connect(room, "u-beat");
    const frames = rawFrames(client);
    const before = await framesHandled(room);
    for (let beat = 0; beat < 100; beat++) client.ws.send('"heartbeat"');
    // (waits read the client's own record: it is updated before any other listener of the frame)
    await client.waitFor(() => pongs(client) >= 100, 10_000, "100 pongs");
    expect(frames).toHaveLength(100);
    expect(new Set(frames)).toEqual(new Set(['{"type":"presence:pong"}']));
    expect(await framesHandled(room)).toBe(before);
    // the object form is still the room's to answer
    client.send({ type: "presence:heartbeat" });
    await client.waitFor(() => pongs(client) >= 101, 5_000, "the room's pong");
    expect(await framesHandled(room)).toBe(before + 1);
  });

  it("prunes nobody who only sends bare heartbeats, and the one who went silent", async () => {
    const room = `${prefix}-prune`;
    const beating = await connect(room, "u-beating");
    const silent = await connect(room, "u-silent");
    await beating.waitForUsers(["u-beating", "u-silent"]);
    const timer = setInterval(() => beating.ws.send('"heartbeat"'), 1_000);
    try {
      // max age 3 s: the silent one is pruned by the alarm, the beating one outlives two max ages
      expect((await silent.waitForClose(10_000)).code).toBe(4000);
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      expect(beating.closeEvent).toBeNull();
      expect(beating.userIds()).toEqual(["u-beating"]);
      expect(await framesHandled(room)).toBe(0);
    } finally {
      clearInterval(timer);
    }
  }, 30_000);
});
