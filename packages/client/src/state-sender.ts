import type { JsonObject } from "@herenow/core";

/** A state change: a partial object merged into the current state, or an updater. */
export type StateUpdate<TState = JsonObject> = Partial<TState> | ((state: Partial<TState>) => Partial<TState>);

/** At most one `presence:state` per this many ms (the trailing change is always sent). */
const INTERVAL_MS = 200;

/**
 * This client's custom state: merged locally, sent at once and then at
 * most five times a second (so typing in a text box costs a few frames, and
 * the last one always goes out), and sent again on every new connection.
 */
export class StateSender {
  /** What this client set, resent after every reconnect; `null` until the first change. */
  #local: JsonObject | null = null;
  #sent = false;
  #pending = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  #transmit: (state: JsonObject) => boolean;
  #known: () => JsonObject | undefined;

  constructor(
    /** Sends a state frame; false when it cannot go now (not open, not synced, anonymous). */
    transmit: (state: JsonObject) => boolean,
    /** What the room knows of our state, the base of the first change. */
    known: () => JsonObject | undefined,
  ) {
    this.#transmit = transmit;
    this.#known = known;
  }

  update(update: StateUpdate): void {
    const base = this.#local ?? this.#known() ?? {};
    this.#local = (typeof update === "function" ? update(base) : { ...base, ...update }) as JsonObject;
    if (this.#timer) {
      this.#pending = true;
      return;
    }
    this.#flush();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#pending) return;
      this.#pending = false;
      this.update({});
    }, INTERVAL_MS);
  }

  /** A new connection: the room forgot us, so the state goes out again once it says who we are. */
  reset(): void {
    this.#sent = false;
  }

  /** Called on every sync: the first one of a connection restores our state. */
  restore(): void {
    if (!this.#sent) this.#flush();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #flush(): void {
    if (this.#local && this.#transmit(this.#local)) this.#sent = true;
  }
}
