import type { AppMessage } from "@herenow/core";
import { sleep, token } from "@herenow/testing";
import { act, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { tokenExpiry, usePresence } from "../src";
import { countingWebSocket, mount, reactSuite } from "./helpers";

const party = reactSuite();
const wait = { timeout: 8000 };

const tokenOf = (url: string | undefined) => new URL(url ?? "http://x").searchParams.get("token");

describe("short-lived tokens from getToken", () => {
  it("are refreshed ahead of expiry without a reconnect, and a later reconnect uses the new one", async () => {
    const counting = countingWebSocket();
    const issued: string[] = [];
    const got: AppMessage[] = [];
    const hook = mount(
      ({ version }: { version: number }) =>
        usePresence({
          host: party.server.host,
          room: "tokens",
          // a new function on every render, as an inline callback would be
          getToken: async () => {
            const fresh = await token({ id: "u-t", name: `T${version}` }, { expiresIn: "3s" });
            issued.push(fresh);
            return fresh;
          },
          onMessage: (message) => got.push(message),
          WebSocket: counting.WebSocket,
        }),
      { initialProps: { version: 1 } },
    );
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);
    const first = tokenOf(counting.urls[0]);
    expect(first).toBe(issued[0]);
    hook.rerender({ version: 2 });

    // the first token has expired by now; the socket it opened lives on
    await sleep(4000);
    expect(Date.now()).toBeGreaterThan(tokenExpiry(first) ?? Number.POSITIVE_INFINITY);
    expect(issued.length).toBeGreaterThanOrEqual(2);
    expect(counting.urls).toHaveLength(1);
    expect(hook.result.current.status).toBe("open");

    // a reconnect reads the refreshed token, and a message sent meanwhile waits in partysocket's buffer
    act(() => {
      hook.result.current.reconnect();
      hook.result.current.send({ type: "chat:send", text: "sent while reconnecting" });
    });
    await waitFor(() => expect(hook.result.current.status).toBe("open"), wait);
    expect(counting.urls).toHaveLength(2);
    const second = tokenOf(counting.urls[1]);
    expect(second).not.toBe(first);
    expect(issued).toContain(second);
    expect(tokenExpiry(second)).toBeGreaterThan(Date.now());
    await waitFor(
      () => expect(got.find((m) => m.type === "chat:message")).toMatchObject({ text: "sent while reconnecting" }),
      wait,
    );
    // the refreshed token came from the latest getToken, with no reconnect when it changed
    // (the sync may come after the chat's answer: the room coalesces presence, not chat)
    await waitFor(() => expect(hook.result.current.users[0]?.name).toBe("T2"), wait);
    expect(counting.urls).toHaveLength(2);
  });

  it("reports a getToken that throws and keeps trying", async () => {
    let calls = 0;
    const hook = mount(() =>
      usePresence({
        host: party.server.host,
        room: "tokens-fail",
        getToken: async () => {
          calls++;
          if (calls === 1) throw new Error("token endpoint is down");
          return token({ id: "u-late", name: "Late" });
        },
        WebSocket: countingWebSocket().WebSocket,
      }),
    );
    await waitFor(() => expect(hook.result.current.error?.code).toBe("token_failed"), wait);
    expect(hook.result.current.error?.message).toMatch(/token endpoint is down/);
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);
    expect(hook.result.current.error).toBeNull();
  });
});
