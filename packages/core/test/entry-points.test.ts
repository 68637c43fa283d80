// Issue 26: core's root is the protocol apps and clients build on; the room engine herenow's own
// packages run is a subpath of its own, `@herenow/core/engine`, outside the public API.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import packageJson from "../package.json";
import * as engine from "../src/engine";
import * as root from "../src/index";

describe("core's entry points", () => {
  it("keep the engine out of the root: the protocol, tokens, names, webhooks and the client's view only", () => {
    expect(Object.keys(root).sort()).toEqual([
      "AGENT_LIMITS",
      "CLOSE_CODES",
      "DEFAULTS",
      "DEFAULT_TOKEN_LIFETIME_SECONDS",
      "EMPTY_SNAPSHOT",
      "FRAMES",
      "LEAVE_REASONS",
      "LIMITS",
      "PresenceView",
      "SETTING_MINIMUMS",
      "SIGNATURE_HEADER",
      "SIGNATURE_TOLERANCE_SECONDS",
      "USER_STATUSES",
      "WEBHOOK_PART_BYTES",
      "WebhookBatchSchema",
      "WebhookPartSchema",
      "checkSignatureHeader",
      "checkTokenClaims",
      "createPresenceToken",
      "identityFromClaims",
      "isRoomNameFragment",
      "isValidRoomName",
      "joinWebhookParts",
      "newGeneration",
      "normalizeDisplayName",
      "parseAgentMember",
      "parseClientMessage",
      "roomNameProblem",
      "signWebhook",
      "splitWebhookBatch",
      "verifyWebhook",
    ]);
    for (const name of [
      "RoomPresence",
      "WindowedDiff",
      "ManualClock",
      "shardOf",
      "RoomHead",
      "ShardReporter",
      "ShardView",
      "mergePages",
      "byArrival",
      "FIRST_REQUEST",
    ]) {
      expect(root).not.toHaveProperty(name);
      expect(engine).toHaveProperty(name);
    }
  });

  it("publish the engine at @herenow/core/engine, built beside the root", () => {
    expect(packageJson.exports["./engine"]).toEqual({
      "herenow:source": "./src/engine.ts",
      types: "./dist/engine.d.ts",
      import: "./dist/engine.js",
    });
  });

  it("give 'window' one meaning, a large room's live window: the time between two diffs is an interval", () => {
    expect(root.LIMITS).toHaveProperty("diffIntervalMs", 50);
    expect(root.LIMITS).not.toHaveProperty("diffWindowMs");
  });
});

describe("core's sources", () => {
  it("are each short enough to read in one sitting (400 lines at most)", () => {
    const src = new URL("../src", import.meta.url).pathname;
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(src, file), "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
