/**
 * Heartbeats on an interval, and a watchdog that fires when nothing came
 * back soon after one: a socket can look open long after its network died
 * (a sleeping laptop, a dropped Wi-Fi), and only silence tells.
 */
export class Heartbeat {
  #interval: ReturnType<typeof setInterval> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  /** How long an unanswered heartbeat may wait: a few seconds, never more than one interval. */
  #timeoutMs: number;

  #everyMs: number;
  #beat: () => boolean;
  #onSilent: () => void;

  constructor(
    everyMs: number,
    /** Sends one heartbeat; false when the socket is not open. */
    beat: () => boolean,
    onSilent: () => void,
  ) {
    this.#everyMs = everyMs;
    this.#beat = beat;
    this.#onSilent = onSilent;
    this.#timeoutMs = Math.min(Math.max(everyMs, 1000), 5000);
  }

  start(): void {
    this.stop();
    this.#interval = setInterval(() => this.now(), this.#everyMs);
  }

  /** Beats at once (a tab that comes back may have slept through several). */
  now(): void {
    if (!this.#beat() || this.#watchdog) return;
    this.#watchdog = setTimeout(() => {
      this.#watchdog = undefined;
      this.#onSilent();
    }, this.#timeoutMs);
  }

  /** Any frame from the server proves the connection is alive, a pong or not. */
  alive(): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  stop(): void {
    clearInterval(this.#interval);
    this.#interval = undefined;
    this.alive();
  }
}
