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

/** Who the server read in the room, as `getRoomSnapshot` gives it. */
const olive = {
  id: "u-o",
  name: "Olive",
  info: {},
  state: {},
  connections: 1,
  since: 1,
  status: "active",
  activeAt: 1,
};
const initialSnapshot = { ...EMPTY_SNAPSHOT, room: "lobby", users: [olive], count: 1 } as typeof EMPTY_SNAPSHOT;
/** A component of a server-rendered page that starts from the server's read. */
function Names() {
  const { users, status } = usePresence({ room: "lobby", initialSnapshot });
  const count = usePresenceUsers({ room: "lobby", initialSnapshot }, (list) => list.length);
  return <p>{`${status}:${count}:${users.map((user) => user.name).join()}`}</p>;
}

describe("server rendering with an initialSnapshot", () => {
  it("renders the people the server read, and the browser's first render shows the same", () => {
    const client = new QueryClient();
    const html = renderToString(
      <QueryClientProvider client={client}>
        <PresenceProvider host="127.0.0.1:1">
          <Names />
        </PresenceProvider>
      </QueryClientProvider>,
    );
    expect(html).toBe("<p>connecting:1:Olive</p>");
    expect(client.getQueryCache().getAll()).toHaveLength(0);
  });
});
