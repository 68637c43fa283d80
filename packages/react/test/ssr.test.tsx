// @vitest-environment node
import { EMPTY_SNAPSHOT } from "@herenow/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { PresenceProvider, usePresence, usePresenceUsers } from "../src";

const seen: unknown[] = [];

function Lobby() {
  const { users, others, status, socket } = usePresence({ room: "lobby" });
  const all = usePresenceUsers("lobby", (list) => list);
  seen.push(users, others, all);
  return <p>{`${status}:${users.length}:${socket === null}`}</p>;
}

describe("server rendering", () => {
  it("imports and renders without a window, showing the frozen empty room and opening nothing", () => {
    expect(typeof window).toBe("undefined");
    const client = new QueryClient();
    const html = renderToString(
      <QueryClientProvider client={client}>
        <PresenceProvider host="127.0.0.1:1">
          <Lobby />
        </PresenceProvider>
      </QueryClientProvider>,
    );
    expect(html).toBe("<p>connecting:0:true</p>");
    for (const list of seen) expect(list).toBe(EMPTY_SNAPSHOT.users);
    expect(Object.isFrozen(EMPTY_SNAPSHOT.users)).toBe(true);
    expect(client.getQueryCache().getAll()).toHaveLength(0);
  });
});
