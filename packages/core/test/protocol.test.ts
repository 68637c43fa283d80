import { describe, expect, it } from "vitest";
import { ErrorBudget, ManualClock, utf8Length } from "../src/engine";
import { identityFromClaims, isValidRoomName, PresenceView, parseClientMessage, roomNameProblem } from "../src/index";

describe("parseClientMessage", () => {
  it("reads every presence message and the bare heartbeat string", () => {
    expect(parseClientMessage('"heartbeat"')).toEqual({
      ok: true,
      kind: "presence",
      message: { type: "presence:heartbeat" },
    });
    expect(parseClientMessage('{"type":"presence:heartbeat"}')).toMatchObject({ ok: true, kind: "presence" });
    expect(parseClientMessage('{"type":"presence:state","state":{"typing":true}}')).toEqual({
      ok: true,
      kind: "presence",
      message: { type: "presence:state", state: { typing: true } },
    });
    expect(parseClientMessage('{"type":"presence:resync"}')).toMatchObject({ ok: true });
    expect(parseClientMessage('{"type":"presence:leave"}')).toMatchObject({ ok: true });
  });

  it("reads the large-room messages of version 1.1 and refuses malformed ones", () => {
    expect(parseClientMessage('{"type":"presence:follow","ids":["u1","u2"]}')).toEqual({
      ok: true,
      kind: "presence",
      message: { type: "presence:follow", ids: ["u1", "u2"] },
    });
    expect(parseClientMessage('{"type":"presence:list"}')).toMatchObject({ ok: true });
    expect(parseClientMessage('{"type":"presence:list","after":"17:u1","limit":500}')).toMatchObject({ ok: true });
    const ids = JSON.stringify(Array.from({ length: 101 }, (_, n) => `u${n}`));
    expect(parseClientMessage(`{"type":"presence:follow","ids":${ids}}`)).toMatchObject({
      ok: false,
      code: "invalid_message",
      message: expect.stringMatching(/at most 100 ids/),
    });
    expect(parseClientMessage('{"type":"presence:follow","ids":[""]}')).toMatchObject({ ok: false });
    expect(parseClientMessage('{"type":"presence:list","limit":501}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/limit.*at most 500/),
    });
    expect(parseClientMessage('{"type":"presence:list","limit":2.5}')).toMatchObject({ ok: false });
  });

  it("hands other typed objects to the application", () => {
    expect(parseClientMessage('{"type":"chat:send","text":"hi"}')).toEqual({
      ok: true,
      kind: "app",
      message: { type: "chat:send", text: "hi" },
    });
  });

  it.each([
    ["not JSON", "{nope", "invalid_message"],
    ["a JSON number", "42", "invalid_message"],
    ["null", "null", "invalid_message"],
    ["an array", "[1,2]", "invalid_message"],
    ["another bare string", '"hello"', "invalid_message"],
    ["no type", '{"state":{}}', "invalid_message"],
    ["a numeric type", '{"type":7}', "invalid_message"],
    ["an unknown presence type", '{"type":"presence:dance"}', "invalid_message"],
    ["state that is an array", '{"type":"presence:state","state":[1]}', "invalid_message"],
    ["state that is missing", '{"type":"presence:state"}', "invalid_message"],
    ["state that is a string", '{"type":"presence:state","state":"x"}', "invalid_message"],
  ])("refuses %s", (_what, frame, code) => {
    const parsed = parseClientMessage(frame);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.code).toBe(code);
      expect(parsed.message.length).toBeGreaterThan(5);
    }
  });

  it("refuses binary frames and oversized frames", () => {
    expect(parseClientMessage(new Uint8Array([1, 2, 3]))).toMatchObject({ ok: false, code: "invalid_message" });
    expect(parseClientMessage(new ArrayBuffer(70 * 1024))).toMatchObject({ ok: false, code: "message_too_large" });
    const big = JSON.stringify({ type: "chat:send", text: "x".repeat(70 * 1024) });
    expect(parseClientMessage(big)).toMatchObject({ ok: false, code: "message_too_large" });
    // 30,000 three-byte characters: under 64 Ki characters, over 64 KiB
    const wide = JSON.stringify({ type: "chat:send", text: "€".repeat(30_000) });
    expect(parseClientMessage(wide)).toMatchObject({ ok: false, code: "message_too_large" });
  });

  it("refuses state over 2 KiB but accepts exactly 2 KiB", () => {
    const pad = (n: number) => JSON.stringify({ type: "presence:state", state: { p: "x".repeat(n) } });
    // {"p":"..."} is 8 bytes of JSON around the padding
    expect(parseClientMessage(pad(2048 - 8))).toMatchObject({ ok: true });
    expect(parseClientMessage(pad(2048 - 7))).toMatchObject({ ok: false, code: "state_too_large" });
  });

  it("survives deep nesting", () => {
    const deep = `{"type":"presence:state","state":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    expect(parseClientMessage(deep)).toMatchObject({ ok: false, code: "state_too_large" });
  });
});

describe("room names", () => {
  it.each(["lobby", "a", "A-z_0.9", "x".repeat(64), ".a", "a..", "-", "_"])("accepts %s", (name) => {
    expect(isValidRoomName(name)).toBe(true);
    expect(roomNameProblem(name)).toBeNull();
  });
  it.each(["", "x".repeat(65), "a b", "../etc", "é", "a/b", "<script>", ".", "..", "..."])("refuses %j", (name) => {
    expect(isValidRoomName(name)).toBe(false);
    expect(roomNameProblem(name)).toMatch(/room name/);
  });
});

describe("identityFromClaims", () => {
  const now = 1_764_300_000_000;
  const exp = now / 1000 + 3600;

  it("accepts good claims and fills in info", () => {
    expect(identityFromClaims({ sub: "u1", name: "Ann", exp }, "lobby", now)).toMatchObject({
      ok: true,
      identity: { id: "u1", name: "Ann", info: {} },
    });
    expect(identityFromClaims({ sub: "u1", name: "Ann", exp, rooms: ["lobby"] }, "lobby", now).ok).toBe(true);
  });

  it.each([
    ["no sub", { name: "Ann", exp }],
    ["a long sub", { sub: "x".repeat(129), name: "Ann", exp }],
    ["no name", { sub: "u1", exp }],
    ["a long name", { sub: "u1", name: "x".repeat(65), exp }],
    ["no exp", { sub: "u1", name: "Ann" }],
    ["an exp more than 24 h ahead", { sub: "u1", name: "Ann", exp: now / 1000 + 25 * 3600 }],
    ["an exp in the past", { sub: "u1", name: "Ann", exp: now / 1000 - 1 }],
    ["info that is an array", { sub: "u1", name: "Ann", exp, info: [] }],
    ["info over 1 KiB", { sub: "u1", name: "Ann", exp, info: { a: "x".repeat(1100) } }],
    ["another room", { sub: "u1", name: "Ann", exp, rooms: ["kitchen"] }],
  ])("refuses %s", (_what, claims) => {
    const checked = identityFromClaims(claims, "lobby", now);
    expect(checked.ok).toBe(false);
  });
});

describe("PresenceView", () => {
  const user = (id: string, since = 1) => ({
    id,
    name: id,
    info: {},
    connections: 1,
    state: {},
    since,
    status: "active" as const,
    activeAt: since,
  });

  it("applies a sync then diffs in order, reports gaps and ignores duplicates", () => {
    const view = new PresenceView();
    const empty = view.snapshot;
    expect(
      view.apply({
        type: "presence:sync",
        room: "r",
        seq: 4,
        self: { connectionId: "c", user: null },
        users: [user("a"), user("b")],
        anonymous: 1,
      }),
    ).toBe("applied");
    expect(view.snapshot).not.toBe(empty);
    expect(
      view.apply({ type: "presence:diff", seq: 5, joined: [user("c")], updated: [], left: ["a"], anonymous: 2 }),
    ).toBe("applied");
    expect(view.snapshot.users.map((u) => u.id)).toEqual(["b", "c"]);
    expect(view.snapshot.anonymous).toBe(2);
    const before = view.snapshot;
    expect(view.apply({ type: "presence:diff", seq: 5, joined: [], updated: [], left: ["b"], anonymous: 0 })).toBe(
      "duplicate",
    );
    expect(view.apply({ type: "presence:diff", seq: 7, joined: [], updated: [], left: ["b"], anonymous: 0 })).toBe(
      "gap",
    );
    expect(view.snapshot).toBe(before);
    expect(
      view.apply({
        type: "presence:diff",
        seq: 6,
        joined: [],
        updated: [{ ...user("b"), state: { t: 1 } }],
        left: [],
        anonymous: 0,
      }),
    ).toBe("applied");
    expect(view.snapshot.users.map((u) => [u.id, u.state])).toEqual([
      ["b", { t: 1 }],
      ["c", {}],
    ]);
  });
});

describe("ErrorBudget and utf8Length", () => {
  it("allows 20 errors a minute and refuses the 21st", () => {
    const clock = new ManualClock(0);
    const budget = new ErrorBudget(clock);
    for (let i = 0; i < 20; i++) expect(budget.spend()).toBe(false);
    expect(budget.spend()).toBe(true);
    clock.advance(60_001);
    expect(budget.spend()).toBe(false);
  });

  it("counts UTF-8 bytes", () => {
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é€😀")).toBe(2 + 3 + 4);
  });
});
