import type { UserStatus } from "@herenow/core";
import { watchIdle } from "./idle";

/** The idle time when the app sets none (protocol 1.2: visible, no input for this long). */
export const DEFAULT_IDLE_AFTER_MS = 60_000;

/**
 * This page's status for the room (protocol 1.2): `hidden` while the page is
 * hidden, else `idle` after `idleAfterMs` without pointer or key input, else
 * `active`. A change is sent at once; after a reconnect the room starts the
 * new connection `active`, so anything else is sent again.
 *
 * @example
 * const reporter = new StatusReporter(60_000, (status) => send({ type: "presence:status", status }));
 * reporter.start();
 */
export class StatusReporter {
  #idle = false;
  #sent: UserStatus = "active";
  /** The app's own status (`setStatus`), which wins over input and visibility. */
  #forced: UserStatus | null = null;
  #stops: (() => void)[] = [];

  #idleAfterMs: number;
  #send: (status: UserStatus) => boolean;

  constructor(
    idleAfterMs: number,
    /** Sends the status; false when the socket is not open (it is sent on the next open). */
    send: (status: UserStatus) => boolean,
  ) {
    this.#idleAfterMs = idleAfterMs;
    this.#send = send;
  }

  /** The status this page has now. */
  get status(): UserStatus {
    if (this.#forced !== null) return this.#forced;
    if (typeof document !== "undefined" && document.visibilityState === "hidden") return "hidden";
    return this.#idle ? "idle" : "active";
  }

  /** Watches visibility and input (in a browser; elsewhere the page is always `active`). */
  start(): void {
    if (typeof window === "undefined" || typeof document === "undefined") return;
    const onVisibility = () => this.#report();
    document.addEventListener("visibilitychange", onVisibility);
    this.#stops.push(() => document.removeEventListener("visibilitychange", onVisibility));
    if (this.#idleAfterMs > 0) {
      this.#stops.push(
        watchIdle(this.#idleAfterMs, (idle) => {
          this.#idle = idle;
          this.#report();
        }),
      );
    }
  }

  /** Reports `status` whatever input and visibility say; `null` goes back to them. */
  force(status: UserStatus | null): void {
    this.#forced = status;
    this.#report();
  }

  /** A new connection is `active` in the room: tell it otherwise if this page is not. */
  opened(): void {
    this.#sent = "active";
    this.#report();
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  #report(): void {
    const status = this.status;
    if (status === this.#sent) return;
    if (this.#send(status)) this.#sent = status;
  }
}
