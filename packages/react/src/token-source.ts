import type { QueryClient } from "@tanstack/react-query";
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
 * A connection's token: a fixed one, or `getToken` through React Query
 * (under the room's key plus `"token"`), held until three quarters of its
 * life are gone and then fetched again ahead of expiry, so a reconnect
 * rarely waits for it.
 */
export class TokenSource {
  /** Why the last read for a connection failed, until the connection takes it. */
  private failure: unknown = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private fresh = false;
  private stopped = false;

  constructor(
    private readonly client: QueryClient,
    private readonly key: readonly unknown[],
    private readonly settings: () => TokenSettings,
  ) {}

  /** The token for a (re)connect; a failure is also kept in `failure`. */
  async forConnect(): Promise<string | null> {
    const fresh = this.fresh;
    this.fresh = false;
    this.stopped = false;
    try {
      return await this.read(fresh);
    } catch (error) {
      this.failure = error ?? new Error("getToken failed");
      throw error;
    }
  }

  /** Why the last read for a connection failed (then forgotten), or `null`. */
  takeFailure(): unknown {
    const failure = this.failure;
    this.failure = null;
    return failure;
  }

  /** Makes the next read skip the cache (after a refusal). */
  refreshNext(): void {
    this.fresh = true;
  }

  /** Stops refreshing ahead of expiry until the next connect. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async read(fresh: boolean): Promise<string | null> {
    const { getToken, token, host, party, room } = this.settings();
    if (!getToken) return token ?? null;
    const value = await this.client.fetchQuery({
      queryKey: this.key,
      queryFn: async () => (await getToken({ host, party, room })) ?? null,
      staleTime: fresh
        ? 0
        : (query) => Math.max(0, refreshAt(query.state.data, query.state.dataUpdatedAt) - Date.now()),
      gcTime: Number.POSITIVE_INFINITY,
      // partysocket retries with its own backoff, and a token need not come over the network
      retry: false,
      networkMode: "always",
    });
    const due = refreshAt(value, this.client.getQueryState(this.key)?.dataUpdatedAt ?? Date.now()) - Date.now();
    clearTimeout(this.timer);
    if (!this.stopped && due < 2 ** 31 - 1) {
      this.timer = setTimeout(() => void this.read(false).catch(() => undefined), Math.max(due, 0));
    }
    return value;
  }
}
