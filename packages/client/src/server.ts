import { isValidRoomName, type PresenceSnapshot, type PresenceUser } from "@herenow/core";

/** Where a room is and the secret its HTTP API takes. */
export interface RoomSnapshotOptions {
  /** The party's host, such as `"herenow.<your-subdomain>.workers.dev"` or `"127.0.0.1:1999"`. */
  host: string;
  /** The party's name (default `"main"`). */
  party?: string | undefined;
  /** The rooms' `HERENOW_SECRET`: this is a server-to-server read, never one for a browser. */
  secret: string;
  /** `http` for a local host (default: `http` for `localhost` and `127.0.0.1`, else `https`). */
  protocol?: "http" | "https" | undefined;
  /** How long to wait for the room before giving up, in ms (default 2000). */
  timeoutMs?: number | undefined;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch | undefined;
}

/**
 * Who is in a room right now, read on the server from the room's HTTP API
 * (`GET /parties/<party>/<room>` with the secret), as the snapshot that
 * `initialSnapshot` takes: a server component renders the people present in
 * its first HTML, and the client room shows them until its socket's first
 * sync. It imports nothing of the client's socket code. A refused, failed
 * or slow read throws an `Error` that names the room and why.
 *
 * @example
 * // app/rooms/[room]/page.tsx (a server component)
 * const initialSnapshot = await getRoomSnapshot(room, { host, secret: process.env.HERENOW_SECRET! });
 * return <Room room={room} initialSnapshot={initialSnapshot} />;
 */
export async function getRoomSnapshot(room: string, options: RoomSnapshotOptions): Promise<PresenceSnapshot> {
  const { host, party = "main", secret } = options;
  if (!host || !secret) throw new TypeError("getRoomSnapshot needs { host, secret }");
  if (!isValidRoomName(room)) {
    throw new TypeError(
      `getRoomSnapshot: room name ${JSON.stringify(room)} is not allowed: use 1 to 64 characters from A-Z a-z 0-9 _ - .`,
    );
  }
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
  const protocol = options.protocol ?? (local ? "http" : "https");
  const url = `${protocol}://${host}/parties/${encodeURIComponent(party)}/${encodeURIComponent(room)}`;
  const response = await (options.fetch ?? fetch)(url, {
    headers: { authorization: `Bearer ${secret}` },
    signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
  });
  if (!response.ok) {
    const reason = (await response.text().catch(() => "")).slice(0, 200);
    throw new Error(`getRoomSnapshot: room "${room}" answered HTTP ${response.status}${reason ? `: ${reason}` : ""}`);
  }
  const body = (await response.json()) as { room: string; seq: number; users: PresenceUser[]; anonymous: number };
  return Object.freeze({
    synced: false,
    room: body.room,
    seq: body.seq,
    self: null,
    users: Object.freeze(body.users),
    anonymous: body.anonymous,
    count: body.users.length,
    window: null,
    recent: Object.freeze([]),
  });
}
