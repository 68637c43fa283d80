import { refreshAt, type TokenGetter } from "./token";

/** Where a connection's token comes from; read again on every (re)connect. */
export interface TokenSettings {
  host: string;
  party: string;
  room: string;
  token?: string | null | undefined;
  getToken?: TokenGetter | undefined;
}

/**
 * A connection's token: a fixed one, or `getToken`'s, held until three
 * quarters of its life are gone and then fetched again ahead of expiry, so
 * a reconnect rarely waits for it.
 */
export class TokenSource {
  /** Why the last read for a connection failed, until the connection takes it. */
  #failure: unknown = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fresh = false;
  #stopped = false;
  #held: { value: string | null; at: number } | null = null;

  #settings: () => TokenSettings;

  constructor(settings: () => TokenSettings) {
    this.#settings = settings;
  }

  /** The token for a (re)connect; a failure is also kept in `failure`. */
  async forConnect(): Promise<string | null> {
    const fresh = this.#fresh;
    this.#fresh = false;
    this.#stopped = false;
    try {
      return await this.#read(fresh);
    } catch (error) {
      this.#failure = error ?? new Error("getToken failed");
      throw error;
    }
  }

  /** Why the last read for a connection failed (then forgotten), or `null`. */
  takeFailure(): unknown {
    const failure = this.#failure;
    this.#failure = null;
    return failure;
  }

  /** Makes the next read skip the held token (after a refusal). */
  refreshNext(): void {
    this.#fresh = true;
  }

  /** Stops refreshing ahead of expiry until the next connect. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #read(fresh: boolean): Promise<string | null> {
    const { getToken, token, host, party, room } = this.#settings();
    if (!getToken) return token ?? null;
    const held = this.#held;
    if (!fresh && held && Date.now() < refreshAt(held.value, held.at)) return held.value;
    const value = (await getToken({ host, party, room })) ?? null;
    this.#held = { value, at: Date.now() };
    this.#schedule();
    return value;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#stopped || !this.#held) return;
    const due = refreshAt(this.#held.value, this.#held.at) - Date.now();
    if (due < 2 ** 31 - 1) {
      this.#timer = setTimeout(() => void this.#read(true).catch(() => undefined), Math.max(due, 0));
    }
  }
}
