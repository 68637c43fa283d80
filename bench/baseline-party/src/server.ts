import { type Connection, routePartykitRequest, Server, type WSMessage } from "partyserver";

interface Env {
  Main: DurableObjectNamespace<Main>;
  /** "loop" (default): the runtime's socket list, as herenow sends; "broadcast": PartyServer's `broadcast()`. */
  BASELINE_SEND?: string;
}

/**
 * The baseline for every benchmark: the least work a presence system can do
 * on PartyServer with hibernation. Each join and leave is its own one-line
 * broadcast; a new connection gets the ids present as one line so that its
 * view can be complete at all. No auth, no state, no coalescing, no storage.
 *
 * It sends with `this.ctx.getWebSockets()`, as herenow does, because
 * PartyServer's `broadcast()` deserialises every socket's attachment per
 * recipient; `BASELINE_SEND=broadcast` measures that path instead.
 */
export class Main extends Server<Env> {
  static override options = { hibernate: true };

  override onConnect(connection: Connection) {
    const ids: string[] = [];
    // PartyServer tags every socket with its connection id first
    for (const socket of this.ctx.getWebSockets()) ids.push(this.ctx.getTags(socket)[0] ?? "");
    connection.send(`here ${ids.join(" ")}`);
    this.sendAll(`join ${connection.id}`, connection);
  }

  override onMessage(connection: Connection, message: WSMessage) {
    if (message === '"heartbeat"') connection.send("pong");
  }

  override onClose(connection: Connection) {
    this.sendAll(`leave ${connection.id}`);
  }

  private sendAll(line: string, except?: Connection): void {
    if (this.env.BASELINE_SEND === "broadcast") {
      this.broadcast(line, except ? [except.id] : undefined);
      return;
    }
    for (const socket of this.ctx.getWebSockets()) {
      if (socket === except || socket.readyState !== WebSocket.OPEN) continue;
      try {
        socket.send(line);
      } catch {
        // closing under us: it needs no more lines
      }
    }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return (await routePartykitRequest(request, env)) ?? new Response("Not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
