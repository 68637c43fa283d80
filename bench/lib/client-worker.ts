// A process full of benchmark clients, driven over IPC by a benchmark script so
// that clients never share a CPU budget with the script's own bookkeeping.
// Each client keeps a view of the room: herenow clients apply sync and diff
// messages with seq checks, baseline clients a set of ids from join/leave lines.
import { PresenceView } from "@herenow/core";
import { PromptCloseWebSocket } from "@herenow/testing";
import type WebSocket from "ws";
import { tokenFor } from "./token";

export type Kind = "herenow" | "baseline";

export type Command =
  | {
      cmd: "open";
      kind: Kind;
      host: string;
      room: string;
      /** Spread the users over these rooms instead (user number modulo their count). */
      rooms?: string[];
      /** User numbers to open, as [from, to). */
      from: number;
      to: number;
      batch: number;
      secret: string;
      /** The view every client must reach (user count) before "complete" is reported. */
      expect: number;
      heartbeatMs?: number;
      /** The heartbeat sent (default the bare `"heartbeat"`, which the runtime answers without the room). */
      heartbeatFrame?: string;
      /** Ask for a window of this many users (protocol 1.1); complete means an exact count. */
      window?: number;
    }
  | { cmd: "watch"; expect: number; tag: string }
  | { cmd: "open-one"; kind: Kind; host: string; room: string; user: number; secret: string; token?: string }
  | { cmd: "leave-one"; user: number; tag: string }
  | { cmd: "zombie"; user: number }
  | { cmd: "state"; user: number; state: Record<string, unknown> }
  | { cmd: "drop"; user: number }
  | { cmd: "stats" }
  | { cmd: "ready" }
  | { cmd: "close" };

export type Report =
  | { type: "ready" }
  | { type: "opened"; firstAt: number; lastAt: number; count: number }
  | { type: "complete"; tag: string; at: number; slowestUser: number }
  | {
      type: "stats";
      bytes: number;
      messages: number;
      open: number;
      closedWith: Record<string, number>;
      heartbeats: number;
      pongs: number;
    }
  | { type: "error"; message: string };

interface Client {
  user: number;
  ws: WebSocket;
  kind: Kind;
  view: PresenceView | null;
  ids: Set<string> | null;
  silent: boolean;
  /** Asked for a window: its view is complete when its count is, not its list. */
  windowed: boolean;
}

const clients = new Map<number, Client>();
/** Clients still opening: others may see a join before this side's "open" event fires. */
const opening = new Map<number, Promise<Client>>();
let bytes = 0;
let messages = 0;
const closedWith: Record<string, number> = {};
let watch: { expect: number; tag: string; pending: Set<number> } | null = null;
let heartbeat: ReturnType<typeof setInterval> | null = null;
let heartbeats = 0;
let closedDuringWatch = 0;
let pongs = 0;

function send(report: Report): void {
  process.send?.(report);
}

function viewSize(client: Client): number {
  if (client.view) return client.windowed ? client.view.count : client.view.size;
  return client.ids?.size ?? 0;
}

function checkWatch(client: Client): void {
  const current = watch;
  if (!current?.pending.has(client.user)) return;
  if (viewSize(client) === current.expect) {
    current.pending.delete(client.user);
    if (current.pending.size === 0) {
      send({ type: "complete", tag: current.tag, at: Date.now(), slowestUser: client.user });
      watch = null;
    }
  }
}

function startWatch(expect: number, tag: string): void {
  watch = { expect, tag, pending: new Set([...clients.values()].filter((c) => !c.silent).map((c) => c.user)) };
  for (const client of clients.values()) checkWatch(client);
}

async function openClient(
  kind: Kind,
  host: string,
  room: string,
  user: number,
  secret: string,
  token?: string,
  window?: number,
): Promise<Client> {
  const url =
    kind === "herenow"
      ? `ws://${host}/parties/main/${room}?_pk=c${user}&token=${token ?? (await tokenFor(user, secret))}${window ? `&window=${window}` : ""}`
      : `ws://${host}/parties/main/${room}?_pk=u${user}`;
  // workerd keeps the TCP connection open after a close the room started (prune, leave):
  // this client drops it once the handshake is done, as a browser does, so the close is seen
  const ws = new PromptCloseWebSocket(url, { perMessageDeflate: false });
  const client: Client = {
    user,
    ws,
    kind,
    view: kind === "herenow" ? new PresenceView() : null,
    ids: kind === "baseline" ? new Set() : null,
    silent: false,
    windowed: window !== undefined,
  };
  ws.on("message", (data: Buffer) => {
    bytes += data.length;
    messages++;
    const text = data.toString();
    if (text === "pong" || text === '{"type":"presence:pong"}') {
      pongs++;
      return;
    }
    if (client.view) {
      const message = JSON.parse(text);
      if (message.type === "presence:sync" || message.type === "presence:diff" || message.type === "presence:count") {
        if (client.view.apply(message) === "gap") ws.send('{"type":"presence:resync"}');
      }
    } else if (client.ids) {
      const space = text.indexOf(" ");
      const verb = space < 0 ? text : text.slice(0, space);
      const rest = space < 0 ? "" : text.slice(space + 1);
      if (verb === "here") for (const id of rest.split(" ").filter(Boolean)) client.ids.add(id);
      else if (verb === "join") client.ids.add(rest);
      else if (verb === "leave") client.ids.delete(rest);
    }
    checkWatch(client);
  });
  ws.on("close", (code) => {
    closedWith[code] = (closedWith[code] ?? 0) + 1;
    clients.delete(user);
    // a client that is gone can no longer complete a watch: count it out, and say so
    if (watch?.pending.delete(user)) {
      closedDuringWatch++;
      // a crashed server closes thousands at once: say so a few times, then every tenfold
      if (closedDuringWatch <= 3 || Number.isInteger(Math.log10(closedDuringWatch))) {
        send({
          type: "error",
          message: `client ${user} closed with ${code} during watch ${watch.tag} (${closedDuringWatch} so far)`,
        });
      }
      if (watch.pending.size === 0) {
        send({ type: "complete", tag: watch.tag, at: Date.now(), slowestUser: user });
        watch = null;
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  // a baseline client's own join comes back to everyone but itself
  client.ids?.add(`u${user}`);
  clients.set(user, client);
  return client;
}

async function handle(command: Command): Promise<void> {
  switch (command.cmd) {
    case "open": {
      let firstAt = 0;
      let lastAt = 0;
      watch = { expect: command.expect, tag: "storm", pending: new Set() };
      for (let start = command.from; start < command.to; start += command.batch) {
        const batch: Promise<Client>[] = [];
        for (let user = start; user < Math.min(command.to, start + command.batch); user++) {
          watch.pending.add(user);
          const room = command.rooms ? (command.rooms[user % command.rooms.length] ?? command.room) : command.room;
          batch.push(openClient(command.kind, command.host, room, user, command.secret, undefined, command.window));
        }
        if (!firstAt) firstAt = Date.now();
        await Promise.all(batch);
        lastAt = Date.now();
      }
      if (command.heartbeatMs) {
        const frame = command.heartbeatFrame ?? '"heartbeat"';
        heartbeat = setInterval(() => {
          for (const client of clients.values()) {
            if (client.silent) continue;
            client.ws.send(frame);
            heartbeats++;
          }
        }, command.heartbeatMs);
      }
      send({ type: "opened", firstAt, lastAt, count: command.to - command.from });
      for (const client of clients.values()) checkWatch(client);
      return;
    }
    case "watch":
      startWatch(command.expect, command.tag);
      return;
    case "open-one": {
      const open = openClient(command.kind, command.host, command.room, command.user, command.secret, command.token);
      opening.set(command.user, open);
      await open.finally(() => opening.delete(command.user));
      return;
    }
    case "leave-one": {
      await opening.get(command.user);
      const client = clients.get(command.user);
      if (client?.kind === "herenow") client.ws.send('{"type":"presence:leave"}');
      else client?.ws.close();
      return;
    }
    case "zombie": {
      const client = clients.get(command.user);
      if (client) client.silent = true;
      return;
    }
    case "state":
      clients.get(command.user)?.ws.send(JSON.stringify({ type: "presence:state", state: command.state }));
      return;
    case "drop":
      clients.get(command.user)?.ws.terminate();
      return;
    case "ready":
      send({ type: "ready" });
      return;
    case "stats":
      send({ type: "stats", bytes, messages, open: clients.size, closedWith, heartbeats, pongs });
      return;
    case "close":
      if (heartbeat) clearInterval(heartbeat);
      for (const client of clients.values()) client.ws.terminate();
      process.exit(0);
  }
}

// the benchmark script is gone (finished or killed): its clients must not linger
process.on("disconnect", () => process.exit(0));

process.on("message", (command: Command) => {
  handle(command).catch((error: unknown) => send({ type: "error", message: String(error) }));
});
