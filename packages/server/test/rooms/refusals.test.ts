import { PartyServer, partyFetch, refusal, SECRET, TestClient, token } from "@herenow/testing";
import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESENCE_WORKER } from "./workers";

let server: PartyServer;
let closed: PartyServer;
let unconfigured: PartyServer;

beforeAll(async () => {
  [server, closed, unconfigured] = await Promise.all([
    PartyServer.start({}, PRESENCE_WORKER),
    PartyServer.start({ HERENOW_ANONYMOUS: "false" }, PRESENCE_WORKER),
    PartyServer.start({ HERENOW_SECRET: "" }, PRESENCE_WORKER),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.dispose(), closed?.dispose(), unconfigured?.dispose()]);
});

const ann = { id: "u-ann", name: "Ann" };

describe("room names", () => {
  it.each([
    ["too long", "x".repeat(65)],
    ["a space", "a%20b"],
    ["a non-ASCII letter", "caf%C3%A9"],
    ["markup", "%3Cscript%3E"],
    ["a colon", "a:b"],
  ])("refuses %s with 400 and a plain-text reason", async (_what, room) => {
    const { status, body } = await refusal(server.url(room));
    expect(status).toBe(400);
    expect(body).toMatch(/room name/);
  });

  it("accepts every allowed character and 64 of them", async () => {
    const client = await TestClient.open(server.url(`Az09_-.${"x".repeat(57)}`));
    await client.next("presence:sync", 0);
    client.close();
  });

  it("refuses a hostile HTTP room name too", async () => {
    const response = await partyFetch(server.httpUrl("a%20b"), { headers: { authorization: `Bearer ${SECRET}` } });
    expect(response.status).toBe(400);
  });

  it("refuses a connection id that is not 1..128 safe characters", async () => {
    expect((await refusal(server.url("ok", { _pk: "x".repeat(129) }))).status).toBe(400);
    expect((await refusal(server.url("ok", { _pk: "a b" }))).status).toBe(400);
  });
});

describe("tokens", () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ["forged (wrong secret)", () => token(ann, { secret: "another-secret-of-more-than-32-bytes!!" }), /signature/],
    ["expired", () => token(ann, { expiresIn: now() - 10 }), /expired/],
    ["good for other rooms only", () => token(ann, { rooms: ["kitchen"] }), /not good for room/],
    ["living longer than 24 h", () => token(ann, { expiresIn: now() + 25 * 3600 }), /24 hours/],
    ["missing its name", () => token({ id: "u1", name: "" }), /name/],
    ["whose name is only a zero-width space", () => token({ id: "u1", name: "\u200B" }), /visible character/],
    [
      "whose name starts with a right-to-left override (drawn 'admin')",
      () => token({ id: "u1", name: "\u202Enimda" }),
      /right-to-left override/,
    ],
    ["with oversized info", () => token({ ...ann, info: { blob: "x".repeat(2000) } }), /info/],
    [
      "unsigned (alg: none)",
      async () => new UnsecuredJWT({ sub: "u1", name: "Ann" }).setExpirationTime("1h").encode(),
      /./,
    ],
    [
      "signed with HS512",
      () =>
        new SignJWT({ name: "Ann" })
          .setProtectedHeader({ alg: "HS512" })
          .setSubject("u1")
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode(SECRET)),
      /HS256/,
    ],
    ["garbage", async () => "not.a.jwt", /malformed|invalid/],
    ["huge", async () => "x".repeat(10_000), /too large/],
  ])("refuses a token %s with 401", async (_what, make, reason) => {
    const { status, body } = await refusal(server.url("lobby", { token: await make() }));
    expect(status).toBe(401);
    expect(body).toMatch(reason);
  });

  it("accepts a token whose rooms list includes the room", async () => {
    const client = await TestClient.open(server.url("lobby", { token: await token(ann, { rooms: ["lobby"] }) }));
    const sync = await client.next("presence:sync", 0);
    expect(sync.self.user).toMatchObject({ id: "u-ann", name: "Ann" });
    client.close();
  });

  it("takes identity only from the token, never from what the client sends later", async () => {
    const client = await TestClient.open(server.url("identity", { token: await token(ann) }));
    await client.next("presence:sync", 0);
    client.send({ type: "presence:state", state: { id: "u-evil", name: "Mallory" } });
    await client.waitFor(() => client.snapshot.users[0]?.state.name === "Mallory");
    expect(client.snapshot.users.map((u) => [u.id, u.name])).toEqual([["u-ann", "Ann"]]);
    client.close();
  });
});

describe("room settings", () => {
  it("refuses anonymous connections with 401 where the room is configured to", async () => {
    const { status, body } = await refusal(closed.url("lobby"));
    expect(status).toBe(401);
    expect(body).toMatch(/anonymous/);
    const client = await TestClient.open(closed.url("lobby", { token: await token(ann) }));
    await client.next("presence:sync", 0);
    client.close();
  });

  it("does not run without HERENOW_SECRET and says which variable to set", async () => {
    const { status, body } = await refusal(unconfigured.url("lobby"));
    expect(status).toBe(500);
    expect(body).toMatch(/HERENOW_SECRET/);
    const response = await partyFetch(unconfigured.httpUrl("lobby"));
    expect(response.status).toBe(500);
  });
});
