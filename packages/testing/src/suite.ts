import { afterAll, afterEach, beforeAll } from "vitest";
import { closeAll, PartyServer, TestClient, token } from "./harness";

/**
 * One worker under a local Workers runtime for a test file, started before its tests and
 * disposed after them, and a `connect` whose clients are closed after each test. The worker
 * is this repository's party unless `projectDir` names another (a fixture with a wrangler.jsonc).
 *
 * @example
 * const party = partySuite({ HERENOW_LEAVE_GRACE_MS: "800" });
 * const client = await party.connect("lobby", { user: { id: "u1", name: "Ann" } });
 */
export function partySuite(vars: Record<string, string> = {}, projectDir?: string) {
  let server: PartyServer | undefined;
  const open: TestClient[] = [];
  beforeAll(async () => {
    server = await PartyServer.start(vars, projectDir);
  });
  afterAll(async () => {
    await server?.dispose();
  });
  afterEach(() => {
    closeAll(open.splice(0));
  });
  return {
    get server(): PartyServer {
      if (!server) throw new Error("partySuite's server is not started yet: use it inside a test");
      return server;
    },
    /** Opens a client (signed in when `user` is given) and, unless `synced: false`, waits for its sync. */
    async connect(
      room: string,
      options: { user?: { id: string; name: string }; pk?: string; synced?: boolean; window?: number } = {},
    ): Promise<TestClient> {
      const query: Record<string, string> = {};
      if (options.user) query.token = await token(options.user);
      if (options.pk) query._pk = options.pk;
      if (options.window !== undefined) query.window = String(options.window);
      const client = await TestClient.open(this.server.url(room, query));
      open.push(client);
      if (options.synced !== false) await client.next("presence:sync", 0);
      return client;
    },
  };
}
