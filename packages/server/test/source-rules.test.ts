import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Rules of the server's sources that a review would otherwise have to remember (issue 26).
const SRC = join(import.meta.dirname, "..", "src");
const sources = readdirSync(SRC, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => ({ file, text: readFileSync(join(SRC, file), "utf8") }));

/** Every name `src/index.ts` exports, types included. */
function exportedNames(): string[] {
  const index = ts.createSourceFile("index.ts", readFileSync(join(SRC, "index.ts"), "utf8"), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of index.statements) {
    if (!ts.isExportDeclaration(statement)) continue;
    const clause = statement.exportClause;
    if (!clause || !ts.isNamedExports(clause)) throw new Error("src/index.ts exports names one by one, never `*`");
    for (const element of clause.elements) names.push(element.name.text);
  }
  return names.sort();
}

describe("the server's sources", () => {
  it("has no file over 400 lines: one that grows past it is split by meaning", () => {
    const long = sources.map(({ file, text }) => `${file}: ${text.split("\n").length - 1}`);
    expect(long.filter((line) => Number(line.split(": ")[1]) > 400)).toEqual([]);
  });

  it("never casts through unknown: the RPC stubs and the env are read with type guards", () => {
    expect(
      sources.filter(({ text }) => text.includes(["as", "unknown", "as"].join(" "))).map(({ file }) => file),
    ).toEqual([]);
  });

  it("exports what an app uses, and nothing an app does not", () => {
    expect(exportedNames()).toEqual(
      [
        // the class to extend, the worker's routing, the worker's own calls to a room's members
        "PresenceServer",
        "routePresenceRequest",
        "roomMembers",
        "RoomMembers",
        "AgentMemberInput",
        "AgentMemberResult",
        // what the hooks receive
        "PresenceConnection",
        "RoomChange",
        // `this.settings`, and what a misconfigured room throws
        "RoomSettings",
        "SettingsError",
        // from @herenow/core, so an app's onAppMessage and onPresenceChanged need no second import
        "AppMessage",
        "PresenceUser",
        "RoomSnapshot",
        "UserIdentity",
        "UserStatus",
      ].sort(),
    );
  });
});
