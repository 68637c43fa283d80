import { PresenceRoom } from "@herenow/partykit";
import type * as Party from "partykit/server";
import { ChatLog } from "./chat";

/**
 * The herenow party: presence for every room, plus the demo chat's
 * `chat:*` messages. Deploy with `npx partykit deploy` from this folder.
 */
export default class Server implements Party.Server {
  static options = { hibernate: true };
  static onBeforeConnect = PresenceRoom.onBeforeConnect;
  static onBeforeRequest = PresenceRoom.onBeforeRequest;

  readonly presence: PresenceRoom;
  readonly chat: ChatLog;

  constructor(readonly room: Party.Room) {
    this.chat = new ChatLog(room);
    this.presence = new PresenceRoom(room, {
      onConnect: ({ socket }) => this.chat.sendHistory(socket),
      onMessage: async (message, from) => {
        const handled = await this.chat.handle(message, from.user, from.socket, from.connectionId);
        if (!handled) {
          this.presence.refuse(
            from.socket,
            from.connectionId,
            "invalid_message",
            `unknown message type ${JSON.stringify(message.type)}`,
          );
        }
      },
    });
  }

  onStart() {
    return this.presence.onStart();
  }

  getConnectionTags(connection: Party.Connection, ctx: Party.ConnectionContext) {
    return this.presence.getConnectionTags(connection, ctx);
  }

  onConnect(connection: Party.Connection) {
    return this.presence.onConnect(connection);
  }

  onMessage(message: string | ArrayBuffer, connection: Party.Connection) {
    return this.presence.onMessage(message, connection);
  }

  onClose(connection: Party.Connection) {
    const info = this.presence.connectionOf(connection);
    if (info) this.chat.forget(info.connectionId);
    return this.presence.onClose(connection);
  }

  onError(connection: Party.Connection) {
    return this.onClose(connection);
  }

  onAlarm() {
    return this.presence.onAlarm();
  }

  onRequest(request: Party.Request) {
    return this.presence.onRequest(request);
  }
}
