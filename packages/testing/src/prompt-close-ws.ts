import WS from "ws";

/**
 * The `ws` client as a browser behaves at the end of a connection. workerd
 * (local and in `wrangler dev`) answers a closing handshake that the room
 * started (kick, prune, abuse) but keeps the TCP connection open, and `ws`
 * waits 30 s for it before it reports the close. Chromium gives the server
 * 2 s and then drops the connection itself. This client drops it as soon as
 * the handshake is done, so tests see the close code when the room sends it.
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
