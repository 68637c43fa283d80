import type { Clock } from "./clock";
import { LIMITS } from "./protocol";

/**
 * Counts a connection's protocol errors over a sliding minute, so that a
 * client with an occasional bad frame keeps its connection and only
 * sustained abuse (over 20 errors a minute) gets it closed with 4008.
 *
 * @example
 * if (budget.spend()) connection.close(CLOSE_CODES.policy, "too many invalid messages");
 */
export class ErrorBudget {
  private readonly times: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly limit: number = LIMITS.errorsPerMinute,
    private readonly periodMs = 60_000,
  ) {}

  /** Records one error; true when the budget is exceeded. */
  spend(): boolean {
    const now = this.clock.now();
    this.times.push(now);
    while (this.times.length > 0 && (this.times[0] ?? now) <= now - this.periodMs) this.times.shift();
    return this.times.length > this.limit;
  }
}
