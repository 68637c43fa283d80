import type { RoomState } from "@herenow/client";
import type { AppMessage } from "@herenow/core";
import { sleep, TestClient, token, PromptCloseWebSocket as WS } from "@herenow/testing";
import { act, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { roomKey, shallowEqual, usePresence, usePresenceUsers } from "../src";
import { countingWebSocket, ids, kick, mount, reactSuite, roomSnapshot } from "./helpers";

// the default leave grace (5 s): a leave that shows sooner came from `presence:leave`
const party = reactSuite();
const wait = { timeout: 5000 };

const as = (id: string, name = id) => token({ id, name });

describe("two tabs in one room", () => {
  it("see each other join, change state and leave at once", async () => {
    const [tokenA, tokenB] = await Promise.all([as("u-a", "Ann"), as("u-b", "Bo")]);
    const a = mount(() =>
      usePresence<{ typing: boolean }>({ host: party.server.host, room: "two", token: tokenA, WebSocket: WS }),
    );
    await waitFor(() => expect(ids(a.result.current.users)).toEqual(["u-a"]), wait);
    const b = mount(() => usePresence({ host: party.server.host, room: "two", token: tokenB, WebSocket: WS }));
    await waitFor(() => expect(ids(a.result.current.users)).toEqual(["u-a", "u-b"]), wait);
    await waitFor(() => expect(ids(b.result.current.users)).toEqual(["u-a", "u-b"]), wait);
    expect(a.result.current.status).toBe("open");
    expect(a.result.current.self?.user).toMatchObject({ id: "u-a", name: "Ann" });
    expect(ids(a.result.current.others)).toEqual(["u-b"]);
    expect(ids(b.result.current.others)).toEqual(["u-a"]);

    act(() => b.result.current.setState({ mood: "busy" }));
    act(() => a.result.current.setState({ typing: true }));
    await waitFor(() => expect(a.result.current.others[0]?.state).toEqual({ mood: "busy" }), wait);
    await waitFor(() => expect(b.result.current.others[0]?.state).toEqual({ typing: true }), wait);
    act(() => a.result.current.setState((state) => ({ ...state, typing: !state.typing })));
    await waitFor(() => expect(b.result.current.others[0]?.state).toEqual({ typing: false }), wait);
    // a state change is an update, never a leave and a join: the order stays
    expect(ids(b.result.current.users)).toEqual(["u-a", "u-b"]);

    const leftAt = Date.now();
    b.unmount();
    await waitFor(() => expect(ids(a.result.current.users)).toEqual(["u-a"]), wait);
    expect(Date.now() - leftAt).toBeLessThan(1500);
  });

  it("keep who left a moment ago in recent, with leftAt, until they come back; a newcomer's sync brings the list", async () => {
    const [tokenA, tokenB, tokenC] = await Promise.all([as("u-ra", "Ann"), as("u-rb", "Bo"), as("u-rc", "Cy")]);
    const a = mount(() => usePresence({ host: party.server.host, room: "recent", token: tokenA, WebSocket: WS }));
    const b = mount(() => usePresence({ host: party.server.host, room: "recent", token: tokenB, WebSocket: WS }));
    await waitFor(() => expect(ids(a.result.current.users)).toEqual(["u-ra", "u-rb"]), wait);
    expect(a.result.current.recent).toEqual([]);
    const before = Date.now();
    b.unmount();
    await waitFor(() => expect(a.result.current.recent.map((user) => user.name)).toEqual(["Bo"]), wait);
    const leftAt = a.result.current.recent[0]?.leftAt ?? 0;
    expect(leftAt).toBeGreaterThanOrEqual(before - 50);
    expect(leftAt).toBeLessThanOrEqual(Date.now());
    const c = mount(() => usePresence({ host: party.server.host, room: "recent", token: tokenC, WebSocket: WS }));
    await waitFor(() => expect(c.result.current.recent).toEqual([{ id: "u-rb", name: "Bo", info: {}, leftAt }]), wait);
    const back = mount(() => usePresence({ host: party.server.host, room: "recent", token: tokenB, WebSocket: WS }));
    await waitFor(() => expect(a.result.current.recent).toEqual([]), wait);
    await waitFor(() => expect(c.result.current.recent).toEqual([]), wait);
    back.unmount();
  });

  it("show one user with two connections once, and count anonymous connections", async () => {
    const tokenD = await as("u-d", "Di");
    const one = mount(() => usePresence({ host: party.server.host, room: "dedupe", token: tokenD, WebSocket: WS }));
    const two = mount(() => usePresence({ host: party.server.host, room: "dedupe", token: tokenD, WebSocket: WS }));
    const anon = mount(() => usePresence({ host: party.server.host, room: "dedupe", WebSocket: WS }));
    await waitFor(() => expect(anon.result.current.users[0]?.connections).toBe(2), wait);
    await waitFor(() => expect(one.result.current.anonymous).toBe(1), wait);
    expect(ids(one.result.current.users)).toEqual(["u-d"]);
    expect(one.result.current.others).toEqual([]);
    expect(ids(anon.result.current.others)).toEqual(["u-d"]);
    expect(anon.result.current.self).toMatchObject({ user: null });
    expect(anon.result.current.self?.connectionId).toEqual(anon.result.current.socket?.id);
    two.unmount();
    await waitFor(() => expect(anon.result.current.users[0]?.connections).toBe(1), wait);
    anon.unmount();
    await waitFor(() => expect(one.result.current.anonymous).toBe(0), wait);
  });
});

describe("one socket per room", () => {
  it("opens a single socket under strict mode's double effects", async () => {
    const counting = countingWebSocket();
    const t = await as("u-s");
    const hook = mount(
      () => usePresence({ host: party.server.host, room: "strict", token: t, WebSocket: counting.WebSocket }),
      { strict: true },
    );
    await waitFor(() => expect(ids(hook.result.current.users)).toEqual(["u-s"]), wait);
    const socket = hook.result.current.socket;
    await sleep(300);
    expect(counting.urls).toHaveLength(1);
    expect((await roomSnapshot(party.server, "strict")).connections).toBe(1);
    hook.rerender();
    expect(hook.result.current.socket).toBe(socket);
  });

  it("shares one socket between the hooks of a QueryClient and leaves when the last unmounts", async () => {
    const counting = countingWebSocket();
    const t = await as("u-sh");
    const options = { host: party.server.host, room: "shared", token: t, WebSocket: counting.WebSocket };
    const first = mount(() => usePresence(options));
    const second = mount(() => usePresenceUsers(options, (users) => users.length), { client: first.client });
    await waitFor(() => expect(second.result.current).toBe(1), wait);
    expect(counting.urls).toHaveLength(1);
    expect(first.client.getQueryData<RoomState>(roomKey(party.server.host, "main", "shared"))?.status).toBe("open");
    first.unmount();
    await sleep(200);
    expect((await roomSnapshot(party.server, "shared")).connections).toBe(1);
    expect(second.result.current).toBe(1);
    second.unmount();
    await waitFor(async () => expect((await roomSnapshot(party.server, "shared")).connections).toBe(0), wait);
    expect(counting.count("presence:leave")).toBe(1);
    // the room's copy leaves the cache with the connection
    expect(first.client.getQueryData(roomKey(party.server.host, "main", "shared"))).toBeUndefined();
  });

  it("does not reconnect when a callback or the token source changes", async () => {
    const counting = countingWebSocket();
    const t = await as("u-cb");
    const hook = mount(() =>
      usePresence({
        host: party.server.host,
        room: "callbacks",
        getToken: async () => t,
        onMessage: () => undefined,
        WebSocket: counting.WebSocket,
      }),
    );
    await waitFor(() => expect(hook.result.current.status).toBe("open"), wait);
    for (let i = 0; i < 5; i++) hook.rerender();
    await sleep(300);
    expect(counting.urls).toHaveLength(1);
    expect(hook.result.current.status).toBe("open");
  });
});

describe("application messages", () => {
  it("carry chat messages with send and onMessage, and keep presence messages out", async () => {
    const [tokenA, tokenB] = await Promise.all([as("u-ca", "Cat"), as("u-cb", "Cy")]);
    const gotA: AppMessage[] = [];
    const gotB: AppMessage[] = [];
    const a = mount(() =>
      usePresence({
        host: party.server.host,
        room: "chat",
        token: tokenA,
        WebSocket: WS,
        onMessage: (m) => gotA.push(m),
      }),
    );
    mount(() =>
      usePresence({
        host: party.server.host,
        room: "chat",
        token: tokenB,
        WebSocket: WS,
        onMessage: (m) => gotB.push(m),
      }),
    );
    await waitFor(() => expect(gotB.some((m) => m.type === "chat:history")).toBe(true), wait);
    await waitFor(() => expect(a.result.current.users).toHaveLength(2), wait);
    act(() => a.result.current.send({ type: "chat:send", text: "hello" }));
    await waitFor(
      () => expect(gotB.find((m) => m.type === "chat:message")).toMatchObject({ text: "hello", user: { id: "u-ca" } }),
      wait,
    );
    await waitFor(() => expect(gotA.some((m) => m.type === "chat:message")).toBe(true), wait);
    expect([...gotA, ...gotB].filter((m) => m.type.startsWith("presence:"))).toEqual([]);
    expect(() => a.result.current.send({ type: "presence:leave" })).toThrow(/application messages/);
  });
});

describe("state", () => {
  it("coalesces a burst of changes into a few frames, the last one always sent", async () => {
    const counting = countingWebSocket();
    const [tokenW, tokenR] = await Promise.all([as("u-w"), as("u-r")]);
    const writer = mount(() =>
      usePresence({ host: party.server.host, room: "typing", token: tokenW, WebSocket: counting.WebSocket }),
    );
    const reader = mount(() => usePresence({ host: party.server.host, room: "typing", token: tokenR, WebSocket: WS }));
    await waitFor(() => expect(writer.result.current.users).toHaveLength(2), wait);
    // typing a 25-character word over about half a second
    const startedAt = Date.now();
    for (let i = 1; i <= 25; i++) {
      act(() => writer.result.current.setState({ draft: "x".repeat(i) }));
      await sleep(20);
    }
    const took = Date.now() - startedAt;
    await waitFor(() => expect(reader.result.current.others[0]?.state).toEqual({ draft: "x".repeat(25) }), wait);
    // the first change at once, then one per 200 ms at most, the trailing one included
    const frames = counting.count("presence:state");
    expect(frames).toBeGreaterThanOrEqual(2);
    expect(frames).toBeLessThanOrEqual(Math.floor(took / 200) + 2);
    expect(frames).toBeLessThan(10);
    expect(writer.result.current.error).toBeNull();
  });

  it("reports idle after idleAfterMs without input and active again on a key, as the user's status, not in state", async () => {
    const t = await as("u-idle");
    const watcher = await TestClient.open(party.server.url("idle", { token: await as("u-watch") }));
    try {
      mount(() => usePresence({ host: party.server.host, room: "idle", token: t, idleAfterMs: 400, WebSocket: WS }));
      const idleOf = () => watcher.snapshot.users.find((u) => u.id === "u-idle");
      await watcher.waitFor(() => idleOf()?.status === "active", 5000, "active");
      await watcher.waitFor(() => idleOf()?.status === "idle", 3000, "idle");
      const idleSince = idleOf()?.activeAt ?? 0;
      expect(idleSince).toBeGreaterThan(0);
      expect(idleOf()?.state).toEqual({});
      act(() => {
        window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
      });
      await watcher.waitFor(() => idleOf()?.status === "active", 3000, "active again");
      expect(idleOf()?.activeAt).toBeGreaterThanOrEqual(idleSince);
    } finally {
      watcher.close();
    }
  });

  it("reports hidden while the page is hidden, and beats and reports active the moment it is shown", async () => {
    const counting = countingWebSocket();
    const t = await as("u-hide");
    const watcher = await TestClient.open(party.server.url("hidden", { token: await as("u-watch") }));
    const visibility = (state: DocumentVisibilityState) => {
      Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
      act(() => {
        document.dispatchEvent(new Event("visibilitychange"));
      });
    };
    try {
      const hook = mount(() =>
        usePresence({ host: party.server.host, room: "hidden", token: t, WebSocket: counting.WebSocket }),
      );
      await waitFor(() => expect(hook.result.current.status).toBe("open"), { timeout: 5000 });
      const hiderOf = () => watcher.snapshot.users.find((u) => u.id === "u-hide");
      await watcher.waitFor(() => hiderOf()?.status === "active", 5000, "active");
      const from = watcher.messages.length;
      visibility("hidden");
      await watcher.waitFor(() => hiderOf()?.status === "hidden", 3000, "hidden");
      const beats = counting.count("heartbeat");
      visibility("visible");
      await watcher.waitFor(() => hiderOf()?.status === "active", 3000, "shown again");
      expect(counting.count("heartbeat")).toBe(beats + 1);
      expect(counting.count("presence:status")).toBe(2);
      // the user never left nor joined while hidden
      const diffs = watcher.messages.slice(from).filter((m) => m.type === "presence:diff");
      expect(
        diffs.filter(
          (diff) => diff.left.includes("u-hide") || diff.joined.some((u: { id: string }) => u.id === "u-hide"),
        ),
      ).toEqual([]);
    } finally {
      Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
      watcher.close();
    }
  });
});

describe("leaving and being removed", () => {
  it("sends no leave on pagehide, and reconnects at once on a pageshow from the back-forward cache", async () => {
    const counting = countingWebSocket();
    const t = await as("u-page");
    const watcher = await TestClient.open(party.server.url("page", { token: await as("u-watch") }));
    try {
      const hook = mount(() =>
        usePresence({ host: party.server.host, room: "page", token: t, WebSocket: counting.WebSocket }),
      );
      await watcher.waitForUsers(["u-watch", "u-page"]);
      // the room can list us a moment before the hook has rendered its own open
      await waitFor(() => expect(hook.result.current.status).toBe("open"), wait);
      const from = watcher.messages.length;
      // a reload and a closed tab look the same at pagehide: the hook leaves it to the browser's 1001
      act(() => {
        window.dispatchEvent(new Event("pagehide"));
      });
      expect(counting.count("presence:leave")).toBe(0);
      expect(hook.result.current.status).toBe("open");
      // the page went into the back-forward cache, and the browser closed its socket on the way
      act(() => hook.result.current.socket?.close(1001, "going away"));
      await waitFor(() => expect(hook.result.current.status).toBe("reconnecting"), wait);
      act(() => {
        window.dispatchEvent(Object.assign(new Event("pageshow"), { persisted: true }));
      });
      await waitFor(() => expect(hook.result.current.status).toBe("open"), wait);
      // back within the away grace under the same id: the watcher saw nobody leave or join
      await sleep(2000);
      expect(watcher.joinsAndLeavesSince(from)).toEqual([]);
      expect(watcher.userIds()).toEqual(["u-watch", "u-page"]);
    } finally {
      watcher.close();
    }
  });

  it("stops reconnecting once kicked (4003) and says why", async () => {
    const counting = countingWebSocket();
    const t = await as("u-kick");
    const hook = mount(() =>
      usePresence({ host: party.server.host, room: "kick", token: t, WebSocket: counting.WebSocket }),
    );
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);
    expect(await kick(party.server, "kick", "u-kick")).toBe(1);
    await waitFor(() => expect(hook.result.current.status).toBe("closed"), wait);
    expect(hook.result.current.error?.code).toBe("kicked");
    expect(hook.result.current.error?.message).toMatch(/4003/);
    expect(hook.result.current.users).toEqual([]);
    await sleep(2000);
    expect(counting.urls).toHaveLength(1);
    expect((await roomSnapshot(party.server, "kick")).connections).toBe(0);
    // an explicit reconnect is allowed
    act(() => hook.result.current.reconnect());
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);
    expect(hook.result.current.error).toBeNull();
  });

  it("close() leaves on purpose", async () => {
    const t = await as("u-close");
    const hook = mount(() => usePresence({ host: party.server.host, room: "close", token: t, WebSocket: WS }));
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);
    act(() => hook.result.current.close());
    expect(hook.result.current.status).toBe("closed");
    await waitFor(async () => expect((await roomSnapshot(party.server, "close")).users).toEqual([]), { timeout: 1500 });
  });
});

describe("the protocol", () => {
  it("asks for a resync when a diff goes missing, and ends with the full list", async () => {
    let dropped = 0;
    const lossy = countingWebSocket({
      drop: (frame) => frame.startsWith('{"type":"presence:diff"') && frame.includes('"u-g1"') && dropped++ === 0,
    });
    const t = await as("u-gv");
    const viewer = mount(() =>
      usePresence({ host: party.server.host, room: "gap", token: t, WebSocket: lossy.WebSocket }),
    );
    await waitFor(() => expect(ids(viewer.result.current.users)).toEqual(["u-gv"]), wait);
    // the diff announcing the first newcomer is lost; the next one shows the gap
    const first = await TestClient.open(party.server.url("gap", { token: await as("u-g1") }));
    await first.waitForUsers(["u-gv", "u-g1"]);
    await sleep(200);
    const second = await TestClient.open(party.server.url("gap", { token: await as("u-g2") }));
    try {
      await waitFor(() => expect(ids(viewer.result.current.users)).toEqual(["u-gv", "u-g1", "u-g2"]), wait);
      expect(dropped).toBeGreaterThanOrEqual(1);
      expect(lossy.count("presence:resync")).toBe(1);
    } finally {
      first.close();
      second.close();
    }
  });

  it("shows a presence:error, and stays closed after a 4008 for sustained abuse", async () => {
    const counting = countingWebSocket();
    const t = await as("u-abuse");
    const hook = mount(() =>
      usePresence({ host: party.server.host, room: "abuse", token: t, WebSocket: counting.WebSocket }),
    );
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);
    act(() => hook.result.current.send({ type: "nonsense" }));
    await waitFor(() => expect(hook.result.current.error?.code).toBe("invalid_message"), wait);
    expect(hook.result.current.status).toBe("open");
    act(() => {
      for (let i = 0; i < 25; i++) hook.result.current.send({ type: "nonsense" });
    });
    await waitFor(() => expect(hook.result.current.status).toBe("closed"), wait);
    expect(hook.result.current.error?.code).toBe("policy");
    await sleep(2000);
    expect(counting.urls).toHaveLength(1);
  });

  it("sends a heartbeat at once when the tab becomes visible again", async () => {
    const counting = countingWebSocket();
    const t = await as("u-vis");
    const hook = mount(() =>
      usePresence({
        host: party.server.host,
        room: "visible",
        token: t,
        heartbeatMs: 60_000,
        WebSocket: counting.WebSocket,
      }),
    );
    await waitFor(() => expect(hook.result.current.status).toBe("open"), wait);
    expect(counting.count("heartbeat")).toBe(0);
    act(() => {
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect(counting.count("heartbeat")).toBe(1);
  });
});

describe("a selector", () => {
  it("re-renders its component only when its slice changes", async () => {
    const [tokenV, tokenO] = await Promise.all([as("u-v", "Vi"), as("u-o", "Oz")]);
    let selectorRenders = 0;
    let fullRenders = 0;
    const options = { host: party.server.host, room: "selector", token: tokenV, WebSocket: WS };
    const names = mount(() => {
      selectorRenders++;
      return usePresenceUsers(options, (users) => users.map((u) => u.name).sort(), shallowEqual);
    });
    const full = mount(
      () => {
        fullRenders++;
        return usePresence(options);
      },
      { client: names.client },
    );
    const other = mount(() => usePresence({ host: party.server.host, room: "selector", token: tokenO, WebSocket: WS }));
    await waitFor(() => expect(names.result.current).toEqual(["Oz", "Vi"]), wait);
    await waitFor(() => expect(full.result.current.users).toHaveLength(2), wait);
    const selectorBefore = selectorRenders;
    const fullBefore = fullRenders;

    act(() => other.result.current.setState({ typing: true }));
    await waitFor(() => expect(full.result.current.others[0]?.state).toEqual({ typing: true }), wait);
    expect(fullRenders).toBeGreaterThan(fullBefore);
    expect(selectorRenders).toBe(selectorBefore);

    other.unmount();
    await waitFor(() => expect(names.result.current).toEqual(["Vi"]), wait);
    expect(selectorRenders).toBe(selectorBefore + 1);
  });
});
