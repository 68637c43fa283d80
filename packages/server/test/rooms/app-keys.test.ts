import { partyFetch, until } from "@herenow/testing";
import { partySuite } from "@herenow/testing/suite";
import { describe, expect, it } from "vitest";
import { ann, auth, fixtureWorker, snapshotOf } from "./workers";

// An app's room is the app's too: its own ctx.storage keys never meet presence's (issue 26, item 2),
// a room deployed with herenow 0.1's keys keeps its state, and a subclass that overrides both
// onMessage and onAppMessage is told which one wins.
const party = partySuite({}, fixtureWorker("app-keys"));

/** Writes keys into a room's storage through the app's own code; `delete` removes some first. */
async function writeKeys(room: string, entries: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await partyFetch(party.server.httpUrl(room, "storage"), {
    method: "PUT",
    headers: auth,
    body: JSON.stringify(entries),
  });
  return response.json();
}

async function readKeys(room: string): Promise<Record<string, unknown>> {
  return (await partyFetch(party.server.httpUrl(room, "storage"), { headers: auth })).json();
}

function snapshot(room: string) {
  return snapshotOf(party.server, room);
}

async function restart() {
  await party.server.stop("SIGKILL");
  await party.server.start();
}

const WARNING = "overrides both onMessage and onAppMessage";

describe("a subclass that overrides both onMessage and onAppMessage", () => {
  it("is warned once per class, naming it, and onMessage keeps winning", async () => {
    const first = await party.connect("warn-1", { user: ann });
    await party.connect("warn-2", { user: ann });
    first.send({ type: "app:hello" });
    const answer = await first.next("app:from-onMessage", 0);
    expect(answer.text).toBe('{"type":"app:hello"}');
    expect(first.messages.some((message) => message.type === "presence:error")).toBe(false);
    await until(() => (party.server.log.includes(WARNING) ? null : "the warning"), 2000);
    const warnings = party.server.log.split("\n").filter((line) => line.includes(WARNING));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/herenow: Main overrides both onMessage and onAppMessage: onMessage wins/);
    expect(warnings[0]).toMatch(/onAppMessage is never called/);
  });
});

describe("presence's storage keys", () => {
  it("moves a room's herenow 0.1 keys under its prefix once, keeping its bans, agents and counter", async () => {
    const room = "legacy";
    const now = Date.now();
    const agent = {
      identity: { id: "bot-old", name: "Old bot", info: {}, kind: "agent" },
      state: { note: "from 0.1" },
      stateAt: now,
      status: "active",
      activeAt: now,
      joinedAt: now,
      expiresAt: now + 600_000,
    };
    // as a 0.1 room left its storage: no version, every key unprefixed
    await writeKeys(room, {
      delete: ["herenow:version"],
      seq: 41,
      "ban:u-banned": now + 3_600_000,
      "member:bot-old": agent,
    });
    await restart();
    const after = await snapshot(room);
    expect(after.seq).toBeGreaterThanOrEqual(41);
    expect(after.users).toEqual([expect.objectContaining({ id: "bot-old", kind: "agent", name: "Old bot" })]);
    await expect(party.connect(room, { user: { id: "u-banned", name: "Banned" }, synced: false })).rejects.toThrow(
      /403/,
    );
    const keys = await readKeys(room);
    expect(Object.keys(keys).filter((key) => !key.startsWith("herenow:") && !key.startsWith("__ps"))).toEqual([]);
    expect(keys).toMatchObject({ "herenow:version": 2, "herenow:ban:u-banned": now + 3_600_000 });
  });

  it("leaves the app's own keys alone, and is not disturbed by keys that were presence's in 0.1", async () => {
    const room = "app-owned";
    const mine = {
      bans: ["someone"],
      outbox: { queued: 3 },
      seq: "the app's own counter",
      recent: "the app's own list",
      "ban:u-ann": Date.now() + 3_600_000,
      "member:helper": { anything: true },
      "wh:meta": "not a webhook",
    };
    await writeKeys(room, mine);
    await restart();
    const client = await party.connect(room, { user: ann });
    await client.waitForUsers(["u-ann"]);
    const now = await snapshot(room);
    expect(typeof now.seq).toBe("number");
    expect(now.users.map((user: { id: string }) => user.id)).toEqual(["u-ann"]);
    expect(await readKeys(room)).toMatchObject(mine);
  });
});
