import { sleep, token, PromptCloseWebSocket as WS } from "@herenow/testing";
import { act, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { shallowEqual, usePresence, usePresenceUsers } from "../src";
import { mount, reactSuite } from "./helpers";

const party = reactSuite();
const wait = { timeout: 5000 };

describe("selectors", () => {
  it("re-render a component only when what it reads changes", async () => {
    const [tokenA, tokenB] = await Promise.all([token({ id: "r-a", name: "Ann" }), token({ id: "r-b", name: "Bo" })]);
    const options = { host: party.server.host, room: "renders", WebSocket: WS };
    const renders = { count: 0, names: 0, whole: 0 };
    const a = mount(() => {
      renders.whole++;
      return usePresence({ ...options, token: tokenA });
    });
    const count = mount(
      () => {
        renders.count++;
        return usePresenceUsers({ ...options, token: tokenA }, (users) => users.length);
      },
      { client: a.client },
    );
    const names = mount(
      () => {
        renders.names++;
        return usePresenceUsers({ ...options, token: tokenA }, (users) => users.map((user) => user.name), shallowEqual);
      },
      { client: a.client },
    );
    const b = mount(() => usePresence({ ...options, token: tokenB }));
    await waitFor(() => expect(count.result.current).toBe(2), wait);
    await waitFor(() => expect(names.result.current).toEqual(["Ann", "Bo"]), wait);
    await sleep(300);
    const before = { ...renders };

    // Bo types: the users' states change, their number and names do not
    for (const text of ["h", "he", "hel", "hell", "hello"]) {
      act(() => b.result.current.setState({ draft: text }));
      await sleep(250);
    }
    await waitFor(() => expect(a.result.current.others[0]?.state).toEqual({ draft: "hello" }), wait);
    await sleep(300);
    expect(renders.whole).toBeGreaterThan(before.whole);
    expect(renders.count).toBe(before.count);
    expect(renders.names).toBe(before.names);

    // Bo leaves: both selections change, and each component renders for it
    b.unmount();
    await waitFor(() => expect(count.result.current).toBe(1), wait);
    await waitFor(() => expect(names.result.current).toEqual(["Ann"]), wait);
    expect(renders.count).toBeGreaterThan(before.count);
    expect(renders.names).toBeGreaterThan(before.names);
  });
});
