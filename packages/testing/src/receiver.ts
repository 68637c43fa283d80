import { createServer, type Server } from "node:http";
import { verifyWebhook, type WebhookBatch } from "@herenow/core";
import { freePort, SECRET } from "./harness";

/**
 * A small webhook receiver for delivery tests: it checks every signature,
 * records each batch, and can be told to answer 503 (down) or to ask for a
 * snapshot. It keeps the room's connections the simple way, so a test can
 * compare them with the room.
 */
export class RecordingReceiver {
  readonly batches: WebhookBatch[] = [];
  readonly badSignatures: string[] = [];
  requests = 0;
  /** Answer this status instead of applying (e.g. 503 while "down"). */
  failWith: number | null = null;
  readonly connections = new Map<string, Map<string, WebhookBatch["events"][number]>>();
  private server: Server | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<RecordingReceiver> {
    const receiver = new RecordingReceiver(await freePort());
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/events`;
  }

  listen(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", async () => {
        this.requests++;
        const check = await verifyWebhook(body, req.headers["herenow-signature"] as string, SECRET);
        if (!check.ok) {
          this.badSignatures.push(check.reason);
          res.writeHead(401).end();
          return;
        }
        if (this.failWith) {
          res.writeHead(this.failWith).end();
          return;
        }
        const batch = JSON.parse(body) as WebhookBatch;
        if (!this.batches.some((b) => b.id === batch.id)) this.apply(batch);
        this.batches.push(batch);
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"applied"}');
      });
    });
    return new Promise((resolve) => this.server?.listen(this.port, "127.0.0.1", resolve));
  }

  /** Connection ids the receiver believes are in a room. */
  roomConnections(room: string): string[] {
    return [...(this.connections.get(room)?.keys() ?? [])].sort();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private apply(batch: WebhookBatch): void {
    let room = this.connections.get(batch.room);
    if (!room) {
      room = new Map();
      this.connections.set(batch.room, room);
    }
    for (const event of batch.events) {
      if (event.type === "join") room.set(event.connectionId, event);
      if (event.type === "leave") room.delete(event.connectionId);
    }
    if (batch.snapshot) {
      room.clear();
      for (const connection of batch.snapshot) {
        room.set(connection.connectionId, {
          type: "join",
          connectionId: connection.connectionId,
          user: connection.user,
          at: connection.joinedAt,
        });
      }
    }
  }
}
