import { freePort, PartyServer, sleep, token, PromptCloseWebSocket as WS } from "@herenow/testing";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PresenceProvider, usePresence, usePresenceUsers } from "../src";
import { countingWebSocket, mount } from "./helpers";

let server: PartyServer;
/** A port where nothing listens: a server that is down. */
let downPort = 0;
const wait = { timeout: 8000 };
const forged = (id: string) => token({ id, name: id }, { secret: "not-the-secret-0123456789-abcdefghijklmnop" });

beforeAll(async () => {
  server = await PartyServer.start({ HERENOW_ANONYMOUS: "false" });
  downPort = await freePort();
});
afterEach(() => cleanup());
afterAll(async () => {
  await server?.dispose();
});

describe("a refused connection", () => {
  it("is unauthorized at the first 401 for a fixed token, and is not retried", async () => {
    const counting = countingWebSocket();
    const t = await forged("u-f");
    const hook = mount(() =>
      usePresence({ host: server.host, room: "refused", token: t, WebSocket: counting.WebSocket }),
    );
    await waitFor(() => expect(hook.result.current.status).toBe("unauthorized"), wait);
    expect(hook.result.current.error?.code).toBe("unauthorized");
    expect(hook.result.current.error?.message).toMatch(/HTTP 401/);
    await sleep(2500);
    expect(counting.urls).toHaveLength(1);
  });

  it("retries once with a fresh token from getToken before giving up", async () => {
    const counting = countingWebSocket();
    let calls = 0;
    const getToken = () => {
      calls++;
      return forged("u-g");
    };
    const hook = mount(() =>
      usePresence({ host: server.host, room: "refused", getToken, WebSocket: counting.WebSocket }),
    );
    await waitFor(() => expect(hook.result.current.status).toBe("unauthorized"), wait);
    await sleep(2500);
    expect(calls).toBe(2);
    expect(counting.urls).toHaveLength(2);
  });

  it("refuses an anonymous connection where the room admits none", async () => {
    const hook = mount(() => usePresence({ host: server.host, room: "refused", WebSocket: WS }));
    await waitFor(() => expect(hook.result.current.status).toBe("unauthorized"), wait);
  });

  it("is told apart from a server that is down when the WebSocket hides the status, as browsers do", async () => {
    const t = await forged("u-b");
    const browser = countingWebSocket({ hideErrors: true });
    const downBrowser = countingWebSocket({ hideErrors: true });
    const refused = mount(() =>
      usePresence({ host: server.host, room: "refused", token: t, WebSocket: browser.WebSocket }),
    );
    const down = mount(() =>
      usePresence({ host: `127.0.0.1:${downPort}`, room: "refused", token: t, WebSocket: downBrowser.WebSocket }),
    );
    await waitFor(() => expect(refused.result.current.status).toBe("unauthorized"), wait);
    expect(refused.result.current.error?.message).toMatch(/answers HTTP/);
    const attempts = browser.urls.length;
    // the server that is down gets as many tries and more, and is never taken for a refusal
    await waitFor(() => expect(downBrowser.urls.length).toBeGreaterThan(attempts), wait);
    await sleep(500);
    expect(down.result.current.status).toBe("connecting");
    expect(down.result.current.error).toBeNull();
    expect(browser.urls).toHaveLength(attempts);
  });
});

describe("settings", () => {
  it("needs a host from the options or a provider", () => {
    const client = new QueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    );
    const quiet = console.error;
    console.error = () => undefined;
    try {
      expect(() => renderHook(() => usePresence({ room: "lobby" }), { wrapper })).toThrow(
        new Error("usePresence needs a host: pass { host } or render a <PresenceProvider host=...> above it"),
      );
      expect(() => renderHook(() => usePresenceUsers("lobby", (users) => users.length), { wrapper })).toThrow(
        /usePresenceUsers needs a host/,
      );
    } finally {
      console.error = quiet;
    }
  });

  it("takes host, token and QueryClient from a PresenceProvider", async () => {
    const t = await token({ id: "u-p", name: "Pat" });
    const counting = countingWebSocket();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <PresenceProvider host={server.host} token={t} WebSocket={counting.WebSocket}>
        {children}
      </PresenceProvider>
    );
    const { result } = renderHook(
      () => ({ full: usePresence({ room: "provided" }), count: usePresenceUsers("provided", (users) => users.length) }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.count).toBe(1), wait);
    expect(result.current.full.self?.user?.name).toBe("Pat");
    expect(counting.urls).toHaveLength(1);
  });

  it("holds no connection while disabled, and refuses a bad room name without connecting", async () => {
    const counting = countingWebSocket();
    const t = await token({ id: "u-e", name: "E" });
    const hook = mount(
      ({ enabled }: { enabled: boolean }) =>
        usePresence({ host: server.host, room: "toggle", token: t, enabled, WebSocket: counting.WebSocket }),
      { initialProps: { enabled: false } },
    );
    await sleep(200);
    expect(hook.result.current.status).toBe("closed");
    expect(hook.result.current.socket).toBeNull();
    expect(counting.urls).toHaveLength(0);
    hook.rerender({ enabled: true });
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);

    const bad = mount(() =>
      usePresence({ host: server.host, room: "no spaces", token: t, WebSocket: counting.WebSocket }),
    );
    await waitFor(() => expect(bad.result.current.error?.code).toBe("invalid_room"), wait);
    expect(bad.result.current.status).toBe("closed");
    expect(counting.urls).toHaveLength(1);
  });
});
