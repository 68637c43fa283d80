import WS from "ws";

/**
 * The `ws` client as a browser behaves at the end of a connection. workerd
 * (local and in `wrangler dev`) answers a closing handshake that the room
 * started outside the socket's own message (a kick from the HTTP API, a prune
 * from the alarm) but keeps the TCP connection open: `ws` reports the close
 * 30 s later with workerd 1.20260426 (its own timeout), about 11 s later with
 * 1.20261117 (workerd then drops it). Chromium gives the server 2 s and then
 * drops the connection itself. This client drops it as soon as the handshake
 * is done, so tests see the close code when the room sends it.
 */
export class PromptCloseWebSocket extends WS {
  // biome-ignore lint/suspicious/noExplicitAny: ws's setSocket is internal and untyped
  setSocket(...args: any[]): void {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const self = this as any;
    const setSocket = WS.prototype as unknown as { setSocket: (...a: unknown[]) => void };
    setSocket.setSocket.apply(this, args);
    self._receiver.on("conclude", () => {
      setTimeout(() => {
        if (this.readyState === WS.CLOSING) this.terminate();
      }, 20);
    });
  }
}
