import "server-only";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { SOCKET_ADDRESS_HEADER } from "./client-address";

// on globalThis: Next's dev server may evaluate this module again, and one subscriber is enough
const STAMPING = Symbol.for("herenow.web.stampSocketAddresses");

/**
 * Writes each request's socket address into `x-herenow-socket-address`
 * before Next sees the request, replacing any such header the client sent.
 * A route handler gets only a web `Request`, without the socket, and Next
 * fills `X-Forwarded-For` from the socket only when the client did not send
 * one itself, so neither says who is really connected. Node publishes every
 * request on the `http.server.request.start` channel before its server
 * handles it. Called once from `instrumentation.ts`.
 *
 * @example
 * stampSocketAddresses(); // then clientAddress(request.headers, { from: "socket" })
 */
export function stampSocketAddresses(): void {
  const holder = globalThis as { [STAMPING]?: true };
  if (holder[STAMPING]) return;
  holder[STAMPING] = true;
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const address = socket.remoteAddress;
    if (address) request.headers[SOCKET_ADDRESS_HEADER] = address;
    else delete request.headers[SOCKET_ADDRESS_HEADER];
  });
}
