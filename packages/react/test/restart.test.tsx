import { token, PromptCloseWebSocket as WS } from "@herenow/testing";
import { act, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { usePresence } from "../src";
import { countingWebSocket, ids, mount, reactSuite } from "./helpers";

const party = reactSuite({ HERENOW_LEAVE_GRACE_MS: "1000" });
const wait = { timeout: 15_000 };

/** Freezes or thaws wrangler dev and its workerd: sockets stay open but nothing answers. */
function signal(name: "SIGSTOP" | "SIGCONT"): void {
  // biome-ignore lint/complexity/useLiteralKeys: the harness keeps its child process private
  const pid = party.server["child"]?.pid;
  if (!pid) throw new Error("wrangler dev is not running");
  process.kill(-pid, name);
}

describe("a server that goes away", () => {
  it("shows reconnecting after a crash and recovers the full list, state included, after a restart", async () => {
    const [tokenA, tokenB] = await Promise.all([token({ id: "u-a", name: "Ann" }), token({ id: "u-b", name: "Bo" })]);
    const a = mount(() => usePresence({ host: party.server.host, room: "crash", token: tokenA, WebSocket: WS }));
    const b = mount(() => usePresence({ host: party.server.host, room: "crash", token: tokenB, WebSocket: WS }));
    await waitFor(() => expect(b.result.current.users).toHaveLength(2), wait);
    act(() => a.result.current.setState({ colour: "red" }));
    await waitFor(() => expect(b.result.current.others[0]?.state).toEqual({ colour: "red" }), wait);

    await party.server.stop("SIGKILL");
    await waitFor(() => expect(a.result.current.status).toBe("reconnecting"), wait);
    await waitFor(() => expect(b.result.current.status).toBe("reconnecting"), wait);
    // the last known list stays on screen while reconnecting
    expect(ids(b.result.current.users).sort()).toEqual(["u-a", "u-b"]);

    await party.server.start();
    await waitFor(() => expect(a.result.current.status).toBe("open"), wait);
    await waitFor(() => expect(b.result.current.status).toBe("open"), wait);
    await waitFor(() => expect(ids(b.result.current.users).sort()).toEqual(["u-a", "u-b"]), wait);
    // the restarted room dropped all stored state; A's came back because the hook resent it
    await waitFor(() => expect(b.result.current.others[0]?.state).toEqual({ colour: "red" }), wait);
  });

  it("reconnects when no pong comes back, and recovers once the server answers again", async () => {
    const counting = countingWebSocket();
    const t = await token({ id: "u-hb", name: "Hb" });
    const hook = mount(() =>
      usePresence({
        host: party.server.host,
        room: "silent",
        token: t,
        heartbeatMs: 300,
        WebSocket: counting.WebSocket,
      }),
    );
    await waitFor(() => expect(hook.result.current.users).toHaveLength(1), wait);
    await waitFor(() => expect(counting.count("heartbeat")).toBeGreaterThanOrEqual(2), wait);
    expect(hook.result.current.status).toBe("open");

    signal("SIGSTOP");
    try {
      const stoppedAt = Date.now();
      await waitFor(() => expect(hook.result.current.status).toBe("reconnecting"), wait);
      expect(Date.now() - stoppedAt).toBeLessThan(3000);
    } finally {
      signal("SIGCONT");
    }
    await waitFor(() => expect(hook.result.current.status).toBe("open"), wait);
    await waitFor(() => expect(ids(hook.result.current.users)).toEqual(["u-hb"]), wait);
    expect(counting.urls.length).toBeGreaterThanOrEqual(2);
  });
});
