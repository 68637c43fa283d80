// The fixture workers the room suites run under a local Workers runtime (@herenow/testing's
// PartyServer): test/fixtures/<name>, each a folder with a wrangler.jsonc.
import { join } from "node:path";
import type { RoomSnapshot } from "@herenow/core";
import { closeAll, PartyServer, partyFetch, SECRET, TestClient, token } from "@herenow/testing";
import { RecordingReceiver } from "@herenow/testing/receiver";
import { partySuite } from "@herenow/testing/suite";
import { afterAll, afterEach, beforeAll } from "vitest";

/**
 * `presence`: a bare PresenceServer, what most suites run; `counting`: rooms that count the frames
 * they are woken for; `extended`: a subclass that overrides every handler without calling super;
 * `agent-rpc`: a worker whose own code puts agent members with `roomMembers`; `app-keys`: a room that
 * writes storage keys of its own and overrides both onMessage and onAppMessage; `silent-shard`: shards that
 * can be told to fail their coordinator's gathers.
 */
export type FixtureWorker = "presence" | "counting" | "extended" | "agent-rpc" | "app-keys" | "silent-shard";

/** The folder of a fixture worker, for `PartyServer.start(vars, fixtureWorker(name))`. */
export function fixtureWorker(name: FixtureWorker): string {
  return join(import.meta.dirname, "..", "fixtures", name);
}

/** The bare PresenceServer worker. */
export const PRESENCE_WORKER = fixtureWorker("presence");

/**
 * `partySuite` over the bare PresenceServer worker: one runtime for the file, clients closed after each test.
 * @example const party = roomSuite({ HERENOW_LEAVE_GRACE_MS: "800" });
 */
export function roomSuite(vars: Record<string, string> = {}) {
  return partySuite(vars, PRESENCE_WORKER);
}

/** The bearer header of a room's HTTP API, with the suites' secret. */
export const auth = { authorization: `Bearer ${SECRET}` };

/** Two people most suites seat in their rooms. */
export const ann = { id: "u-ann", name: "Ann" };
export const bo = { id: "u-bo", name: "Bo" };

/** Vars that spread every room named `sharded-*` over four shards, for suites that run each case in both kinds of room. */
export const SHARDED_VARS = { HERENOW_SHARDED_ROOMS: "sharded-*", HERENOW_SHARDS: "4" };

/**
 * The two kinds of room a suite runs each case in, for `describe.each`: a name for the title and
 * a room-name prefix (`sharded` rooms are spread over shards by `SHARDED_VARS`).
 */
export const ROOM_KINDS = [
  ["a room of one object", "plain"],
  ["a room over shards", "sharded"],
] as const;

/** A room's snapshot over its HTTP API (`GET /parties/main/<room>`); a refused request throws. */
export async function snapshotOf(server: PartyServer, room: string): Promise<RoomSnapshot> {
  const response = await partyFetch(server.httpUrl(room), { headers: auth });
  if (!response.ok) throw new Error(`GET ${room} answered ${response.status}`);
  return (await response.json()) as RoomSnapshot;
}

/**
 * The bare PresenceServer worker posting its webhook to a `RecordingReceiver`: both started
 * before the file's tests and stopped after them; the clients `open` opened are closed, and the
 * receiver answers again, after each test.
 *
 * @example
 * const hooks = webhookSuite({ HERENOW_WEBHOOK_BATCH_MS: "100" });
 * const client = await hooks.open("lobby", "c1", { id: "u1", name: "U1" });
 */
export function webhookSuite(vars: Record<string, string>) {
  let receiver: RecordingReceiver | undefined;
  let server: PartyServer | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    receiver = await RecordingReceiver.start();
    server = await PartyServer.start({ HERENOW_WEBHOOK_URL: receiver.url, ...vars }, PRESENCE_WORKER);
  });
  afterAll(async () => {
    await server?.dispose();
    await receiver?.close();
  });
  afterEach(() => {
    closeAll(clients.splice(0));
    if (receiver) receiver.failWith = null;
  });
  return {
    get server(): PartyServer {
      if (!server) throw new Error("webhookSuite's server is not started yet: use it inside a test");
      return server;
    },
    get receiver(): RecordingReceiver {
      if (!receiver) throw new Error("webhookSuite's receiver is not started yet: use it inside a test");
      return receiver;
    },
    /** The clients open now, oldest first. */
    clients,
    /** Opens a client under the connection id `pk`, signed in as `user` or anonymous (`null`). */
    async open(room: string, pk: string, user: { id: string; name: string } | null): Promise<TestClient> {
      const query: Record<string, string> = { _pk: pk };
      if (user) query.token = await token(user);
      const client = await TestClient.open(this.server.url(room, query));
      clients.push(client);
      return client;
    },
  };
}
