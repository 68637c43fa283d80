/**
 * What a connection may ask of its room in a second, for the requests that
 * cost the room a sync or a page: each answer is a copy of the room (or of a
 * window of it), so one socket asking in a loop could pull megabytes a
 * second out of a big room.
 */
export const REQUESTS_PER_SECOND = {
  "presence:resync": 2,
  "presence:follow": 5,
  "presence:list": 10,
} as const;

/** A request that is limited per connection and second. */
export type LimitedRequest = keyof typeof REQUESTS_PER_SECOND;

/**
 * `ok`: within the limit. `limited`: the first request over it in this
 * second, answered with `rate_limited`. `flood`: every later one in the
 * same second, which a client that read the answer would not have sent.
 */
export type RateVerdict = "ok" | "limited" | "flood";

/**
 * Counts each connection's limited requests per second of the clock.
 *
 * @example
 * const verdict = rates.take(connectionId, "presence:resync", Date.now());
 * if (verdict !== "ok") return; // answered or counted as abuse by the caller
 */
export class RequestRates {
  private readonly used = new Map<string, { second: number; counts: Map<LimitedRequest, number> }>();

  take(connectionId: string, request: LimitedRequest, now: number): RateVerdict {
    const second = Math.floor(now / 1000);
    let entry = this.used.get(connectionId);
    if (entry?.second !== second) {
      entry = { second, counts: new Map() };
      this.used.set(connectionId, entry);
    }
    const count = (entry.counts.get(request) ?? 0) + 1;
    entry.counts.set(request, count);
    const limit = REQUESTS_PER_SECOND[request];
    return count <= limit ? "ok" : count === limit + 1 ? "limited" : "flood";
  }

  /** A connection closed: its counts go. */
  forget(connectionId: string): void {
    this.used.delete(connectionId);
  }
}
