// The React hook under load: an online panel of 1,000 users, one of whom changes
// their state again and again. How long React takes to commit each change, for
// a panel whose rows re-render every time (the baseline) and one with memoized
// rows, and how often a selector-based head count re-renders (it must not).
// Run: npm run react -w @herenow/bench -- --n 1000 --changes 30
import { JSDOM } from "jsdom";

// React's production build with profiling, as a deployed app runs it (timings included)
process.env.NODE_ENV = "production";

const dom = new JSDOM("<!doctype html><html><body><div id=root></div></body></html>", { url: "http://localhost/" });
// defined, not assigned: Node 21 and later have a `navigator` global with a getter only
for (const [name, value] of Object.entries({
  window: dom.window,
  document: dom.window.document,
  navigator: dom.window.navigator,
  HTMLElement: dom.window.HTMLElement,
  Node: dom.window.Node,
  IS_REACT_ACT_ENVIRONMENT: false,
})) {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

const { QueryClient, QueryClientProvider } = await import("@tanstack/react-query");
const { PresenceProvider, usePresence, usePresenceUsers } = await import("@herenow/react");
const React = await import("react");
// the profiling build has the same API as react-dom/client, which types it
const { createRoot } = (await import("react-dom/profiling" as string)) as typeof import("react-dom/client");
const WS = (await import("ws")).default;
const { isReport, machine, median, sleep, startParty, table, Workers } = await import("./lib/run");
const { flag, readFlags } = await import("./lib/options");

const { n, changes, runtime } = readFlags({
  n: flag.number(1000),
  changes: flag.number(30),
  /** The runtime under the room (the figures are React's: it matters little). */
  runtime: flag.runtime("miniflare"),
});

type Member = { id: string; name: string; state: { n?: number } };
const commits: Record<string, number[]> = { plain: [], memo: [] };
let countRenders = 0;
let rowRenders = 0;

function Row({ user }: { user: Member }) {
  rowRenders++;
  return React.createElement("li", null, `${user.name} ${user.state.n ?? ""}`);
}
const MemoRow = React.memo(Row);

function Panel({ room, memo }: { room: string; memo: boolean }) {
  const { users } = usePresence<{ n: number }>({ room });
  const RowType = memo ? MemoRow : Row;
  return React.createElement(
    "ul",
    null,
    users.map((user) => React.createElement(RowType, { key: user.id, user: user as Member })),
  );
}

function HeadCount({ room }: { room: string }) {
  countRenders++;
  const count = usePresenceUsers(room, (users) => users.length);
  return React.createElement("span", { id: "count" }, String(count));
}

console.log(
  `React render cost on ${machine()}: online panel of ${n} users, ${changes} state changes, room under ${runtime}`,
);
const server = await startParty("herenow", runtime);
const workers = new Workers(2);
const room = "render";
const rows: (string | number)[][] = [];
try {
  await workers.ready();
  // users 0 … half-1 live in worker 0, the rest in worker 1
  const half = Math.ceil(n / 2);
  workers.openUsers(n, {
    host: server.host,
    room,
    heartbeatMs: 20_000,
  });
  await workers.collect(isReport("complete"), undefined, 300_000);

  for (const memo of [false, true]) {
    const kind = memo ? "memo" : "plain";
    const container = document.createElement("div");
    document.body.append(container);
    const root = createRoot(container);
    const onRender = (_id: string, phase: string, duration: number) => {
      if (phase === "update") commits[kind]?.push(duration);
    };
    root.render(
      React.createElement(
        QueryClientProvider,
        { client: new QueryClient() },
        React.createElement(
          PresenceProvider,
          { host: server.host, WebSocket: WS as never },
          React.createElement(React.Profiler, { id: kind, onRender }, React.createElement(Panel, { room, memo })),
          React.createElement(HeadCount, { room }),
        ),
      ),
    );
    while (container.querySelectorAll("li").length < n) await sleep(50);
    await sleep(300);
    commits[kind] = [];
    countRenders = 0;
    rowRenders = 0;
    for (let i = 0; i < changes; i++) {
      workers.send(i % 2, { cmd: "state", user: i % 2 === 0 ? 0 : half, state: { n: i } });
      const expected = `${i}`;
      while (!container.textContent?.includes(`User ${i % 2 === 0 ? 0 : half} ${expected}`)) await sleep(5);
      await sleep(60);
    }
    rows.push([
      memo ? "memoized rows" : "rows re-render (baseline)",
      median(commits[kind] ?? []).toFixed(2),
      (median(commits[kind] ?? []) / median(commits.plain ?? [])).toFixed(2),
      (rowRenders / changes).toFixed(1),
      countRenders,
    ]);
    root.unmount();
    container.remove();
    await sleep(300);
  }
} finally {
  workers.close();
  await server.dispose();
}
console.log(
  `\n${table(
    [
      "online panel",
      "commit per change (ms, median)",
      "× baseline",
      "rows rendered per change",
      "head count re-renders",
    ],
    rows,
  )}`,
);
process.exit(0);
