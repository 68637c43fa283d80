// Hostile clients: fuzzers send random and malformed frames while normal clients
// chat. Every bad frame must get the protocol's answer, sustained abuse must end
// in 4008, the server must stay up and the normal clients must see the truth.
// The full drill of 10,000 frames runs in about 15 s; FUZZ_FRAMES changes the count.

import { closeAll, type Message, PartyServer, partyFetch, SECRET, sleep, TestClient, token } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 10_000);
const FUZZERS = 20;
const NORMALS = 50;
const ROOM = "arena";

let server: PartyServer;
beforeAll(async () => {
  server = await PartyServer.start({ HERENOW_LEAVE_GRACE_MS: "300" });
});
afterAll(async () => {
  await server?.dispose();
});

/** A frame and what the server must answer to it (`null`: nothing but the pong that follows). */
interface Case {
  frame: string | Buffer;
  expect: string | null;
  /** Either answer is right (a state change may be applied or rate-limited). */
  orElse?: string;
}

let seed = 12345;
function random(): number {
  // a fixed-seed generator, so a failure can be replayed
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
const junk = (length: number) =>
  Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 90))).join("");

function fuzzCase(signedIn: boolean): Case {
  const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const cases: (() => Case)[] = [
    () => ({ frame: `{${junk(20)}`, expect: "presence:error invalid_message" }),
    () => ({ frame: String(Math.floor(random() * 1e6)), expect: "presence:error invalid_message" }),
    () => ({ frame: "null", expect: "presence:error invalid_message" }),
    () => ({ frame: JSON.stringify([junk(5)]), expect: "presence:error invalid_message" }),
    () => ({ frame: JSON.stringify({ type: 42 }), expect: "presence:error invalid_message" }),
    () => ({ frame: JSON.stringify({ type: `presence:${junk(6)}` }), expect: "presence:error invalid_message" }),
    () => ({ frame: JSON.stringify({ type: `game:${junk(4)}` }), expect: "presence:error invalid_message" }),
    () => ({
      frame: JSON.stringify({ type: "presence:state", state: junk(8) }),
      expect: "presence:error invalid_message",
    }),
    () => ({
      frame: JSON.stringify({ type: "presence:state", state: [1, 2] }),
      expect: "presence:error invalid_message",
    }),
    () => ({ frame: Buffer.from(junk(32)), expect: "presence:error invalid_message" }),
    () => ({
      frame: JSON.stringify({ type: "chat:send", text: "x".repeat(65 * 1024 + Math.floor(random() * 5000)) }),
      expect: "presence:error message_too_large",
    }),
    () => ({ frame: "y".repeat(70 * 1024), expect: "presence:error message_too_large" }),
    () => ({
      frame: `{"type":"presence:state","state":${deep(500 + Math.floor(random() * 2000))}}`,
      expect: "presence:error state_too_large",
    }),
    () => ({ frame: `{"type":"x","n":${deep(3000)}}`, expect: "presence:error invalid_message" }),
    () => ({
      frame: JSON.stringify({ type: "presence:state", state: { blob: "z".repeat(2100) } }),
      expect: "presence:error state_too_large",
    }),
    () => ({ frame: JSON.stringify({ type: "chat:send", text: 7 }), expect: signedIn ? "chat:error" : "chat:error" }),
    () =>
      signedIn
        ? {
            frame: JSON.stringify({ type: "presence:state", state: { fuzz: junk(10) } }),
            expect: null,
            orElse: "presence:error rate_limited",
          }
        : {
            frame: JSON.stringify({ type: "presence:state", state: { fuzz: 1 } }),
            expect: "presence:error invalid_message",
          },
  ];
  return pick(cases)();
}

function describeAnswer(message: Message): string {
  if (message.type === "presence:error") return `presence:error ${message.code}`;
  return message.type;
}

/** One fuzzer: sends its share of frames one by one, each followed by a heartbeat. */
async function fuzz(index: number, frames: number): Promise<{ sent: number; answered: number; policyCloses: number }> {
  const signedIn = index % 2 === 0;
  let sent = 0;
  let answered = 0;
  let policyCloses = 0;
  let generation = 0;
  while (sent < frames) {
    const query: Record<string, string> = { _pk: `fuzz-${index}-${generation++}` };
    if (signedIn) query.token = await token({ id: `f${index}`, name: `Fuzzer ${index}` });
    const client = await TestClient.open(server.url(ROOM, query));
    await client.next("presence:sync", 0);
    let errors = 0;
    while (sent < frames && !client.closeEvent) {
      const test = fuzzCase(signedIn);
      const from = client.messages.length;
      client.ws.send(test.frame);
      sent++;
      if (errors === 20 && test.expect?.startsWith("presence:error")) {
        // the 21st error in a minute: answered, then closed for abuse
        const closed = await client.waitForClose(5000);
        expect(closed.code).toBe(4008);
        policyCloses++;
        const answers = client.messages.slice(from).map(describeAnswer);
        expect(answers).toContain(test.expect);
        answered++;
        break;
      }
      client.send('"heartbeat"');
      await client.waitFor(() => client.messages.slice(from).some((m) => m.type === "presence:pong"), 5000, "pong");
      const answers = client.messages
        .slice(from)
        .map(describeAnswer)
        .filter((a) => !["presence:pong", "presence:diff", "chat:message", "chat:history"].includes(a));
      if (test.expect === null) {
        expect(answers.every((a) => a === test.orElse)).toBe(true);
        if (answers.length > 0) errors++;
      } else {
        expect(answers).toEqual([test.expect]);
        if (test.expect.startsWith("presence:error")) errors++;
      }
      answered++;
    }
    closeAll([client]);
  }
  return { sent, answered, policyCloses };
}

describe("hostile clients", () => {
  it(`answers ${FRAMES} fuzzed frames as the protocol says while normal clients keep a true view`, async () => {
    const normals = await Promise.all(
      Array.from({ length: NORMALS }, async (_, i) =>
        TestClient.open(server.url(ROOM, { token: await token({ id: `n${i}`, name: `Normal ${i}` }), _pk: `n-${i}` })),
      ),
    );
    try {
      await Promise.all(normals.map((client) => client.next("presence:sync", 0)));
      const chatter = setInterval(() => {
        const client = pick(normals);
        client.send({ type: "chat:send", text: `hello ${junk(5)}` });
        client.send({ type: "presence:state", state: { mood: junk(3) } });
        for (const normal of normals) normal.send('"heartbeat"');
      }, 100);
      const results = await Promise.all(
        Array.from({ length: FUZZERS }, (_, i) => fuzz(i, Math.ceil(FRAMES / FUZZERS))),
      ).finally(() => clearInterval(chatter));

      const sent = results.reduce((sum, r) => sum + r.sent, 0);
      expect(sent).toBeGreaterThanOrEqual(FRAMES);
      expect(results.reduce((sum, r) => sum + r.answered, 0)).toBe(sent);
      expect(results.reduce((sum, r) => sum + r.policyCloses, 0)).toBeGreaterThan(0);

      // the server is up and its truth is the normal clients alone once fuzzers' graces end
      await sleep(800);
      const response = await partyFetch(server.httpUrl(ROOM), { headers: { authorization: `Bearer ${SECRET}` } });
      const truth = await response.json();
      const normalIds = Array.from({ length: NORMALS }, (_, i) => `n${i}`).sort();
      expect(truth.users.map((u: { id: string }) => u.id).sort()).toEqual(normalIds);
      for (const client of normals) {
        await client.waitForUsers(normalIds, 5000);
        expect(client.closeEvent).toBeNull();
        expect(client.gaps).toBe(0);
        const states = new Map(truth.users.map((u: { id: string; state: unknown }) => [u.id, u.state]));
        for (const user of client.snapshot.users) expect(user.state).toEqual(states.get(user.id));
      }
      const chats = normals.map((c) => c.messages.filter((m) => m.type === "chat:message").length);
      expect(new Set(chats).size).toBe(1);
    } finally {
      closeAll(normals);
    }
  }, 300_000);
});
