import type { AppMessage } from "@herenow/core";
import { type PresenceConnection, PresenceServer, routePresenceRequest } from "@herenow/server";
import type { Connection } from "partyserver";
import { ChatLog } from "./chat";

/** The worker's bindings and variables (wrangler.jsonc `vars`, `.dev.vars`, `wrangler secret put`). */
export interface Env {
  Main: DurableObjectNamespace<Main>;
  HERENOW_SECRET: string;
  HERENOW_WEBHOOK_URL?: string;
  HERENOW_MAX_AGE_MS?: string;
  HERENOW_LEAVE_GRACE_MS?: string;
  HERENOW_AWAY_GRACE_MS?: string;
  HERENOW_ANONYMOUS?: string;
  HERENOW_SHARDED_ROOMS?: string;
  HERENOW_SHARDS?: string;
}

/**
 * One room of the herenow worker: presence, plus the demo chat's `chat:*`
 * messages. The binding is named `Main`, so rooms live at `/parties/main/<room>`.
 */
export class Main extends PresenceServer<Env> {
  // in a sharded room a message reaches every shard; the history is kept where it was sent
  private readonly chat = new ChatLog(this.ctx.storage.sql, (text) => void this.broadcastToRoom(text));

  override onConnect(connection: Connection) {
    this.chat.sendHistory(connection);
  }

  override onAppMessage(message: AppMessage, from: PresenceConnection) {
    return this.chat.handle(message, from);
  }

  override onClose(connection: Connection) {
    const info = this.connectionOf(connection);
    if (info) this.chat.forget(info.connectionId);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const routed = await routePresenceRequest(request, env);
    return routed ?? new Response("Not found: rooms live at /parties/main/<room>\n", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
