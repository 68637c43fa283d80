import type * as Party from "partykit/server";

/**
 * The baseline for every benchmark: the least work a presence system can do
 * on PartyKit with hibernation. Each join and leave is its own one-line
 * broadcast; a new connection gets the ids present as one line so that its
 * view can be complete at all. No auth, no state, no coalescing, no storage.
 */
export default class Baseline implements Party.Server {
  static options = { hibernate: true };

  constructor(readonly room: Party.Room) {}

  onConnect(connection: Party.Connection) {
    const ids: string[] = [];
    for (const other of this.room.getConnections()) ids.push(other.id);
    connection.send(`here ${ids.join(" ")}`);
    this.room.broadcast(`join ${connection.id}`, [connection.id]);
  }

  onMessage(message: string | ArrayBuffer, sender: Party.Connection) {
    if (message === '"heartbeat"') sender.send("pong");
  }

  onClose(connection: Party.Connection) {
    this.room.broadcast(`leave ${connection.id}`);
  }
}
