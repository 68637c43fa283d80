import { identityFromClaims } from "@herenow/core";
import { describe, expect, it } from "vitest";
import { type ConnectionData, tagOfConnection, tagOfUser } from "../src/connection-data";

// the runtime writes attachments with V8's serializer, which Node exposes (this package is typed
// for workers, hence the untyped import)
const V8 = "node:v8";
const { serialize } = (await import(V8)) as { serialize(value: unknown): Uint8Array };

/** The runtime's cap on a WebSocket's attachment (workerd: "cannot be larger than 16384 bytes"). */
const RUNTIME_CAP = 16 * 1024;

describe("a socket's attachment (issue 24, item 7)", () => {
  it("stays far under the runtime's 16 KiB whatever a token and a connection id within the protocol's limits hold", () => {
    // the largest identity a token may carry: id and name at their lengths in two-byte characters,
    // 1 KiB of info shaped to serialise as badly as JSON allows (nested arrays cost the most per byte)
    const depth = 500;
    const info = { a: JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) };
    const checked = identityFromClaims(
      { sub: "ж".repeat(128), name: "ж".repeat(64), info, exp: Math.floor(Date.now() / 1000) + 60 },
      "lobby",
      Date.now(),
    );
    if (!checked.ok) throw new Error(checked.reason);
    const id = `${"a".repeat(128)}.0badc0de`; // a 128-character _pk renamed: the longest id
    const data: ConnectionData = {
      herenow: 1,
      id,
      user: checked.identity,
      joinedAt: Date.now(),
      lastSeen: Date.now(),
      since: Date.now(),
      window: 1000,
      left: true,
    };
    // as PartyServer writes it: its own fields beside ours, and no URL (the room drops it)
    const tags = [id, tagOfConnection(id), tagOfUser(checked.identity.id)];
    const attachment = { __pk: { id, tags, uri: undefined }, __user: data };
    expect(serialize(attachment).byteLength).toBeLessThan(RUNTIME_CAP / 4);
  });
});
