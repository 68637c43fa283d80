import { tokenExpiry } from "./token";

/** A token has to live this much longer to be worth resuming with; a shorter one is fetched anew. */
export const RESUME_TOKEN_MIN_LIFE_MS = 30_000;

/** What a tab keeps of one room across a reload. */
export interface ResumeEntry {
  /** The connection id the room last confirmed (`self.connectionId`). */
  id: string | null;
  /** The last token used, while it has over 30 s to live. */
  token: string | null;
}

/**
 * The reload resume of protocol 1.2: each room's connection id and last token in
 * `sessionStorage`, so a reloaded page reconnects under its old id at once, with no token
 * request first, and lands inside the away grace its 1001 close started: the others see no
 * leave and no join. `sessionStorage` is per tab, so two tabs never share an id; a tab
 * duplicated with its storage meets the room's `_pk` rule and gets a fresh id, which it then
 * keeps. Where there is no `sessionStorage` (Node, a sandboxed frame) nothing is kept.
 *
 * @example
 * const resume = new SessionResume("herenow:lobby");
 * const { id, token } = resume.read(); // both null on a first visit
 */
export class SessionResume {
  #storage: Storage | null;

  #key: string;

  constructor(key: string, storage: Storage | null = sessionStorageOrNull()) {
    this.#key = key;
    this.#storage = storage;
  }

  /** The id and token to resume with; a token that expires within 30 s is left out. */
  read(now = Date.now()): ResumeEntry {
    const entry = this.#load();
    const expiry = tokenExpiry(entry.token);
    const usable = entry.token !== null && expiry !== null && expiry - now > RESUME_TOKEN_MIN_LIFE_MS;
    return { id: entry.id, token: usable ? entry.token : null };
  }

  /** Keeps the id the room confirmed for this tab's connection. */
  saveId(id: string): void {
    this.#save({ ...this.#load(), id });
  }

  /** Keeps the token a connect used (`null`, anonymous, clears it). */
  saveToken(token: string | null): void {
    this.#save({ ...this.#load(), token });
  }

  #load(): ResumeEntry {
    try {
      const raw = this.#storage?.getItem(this.#key);
      const parsed = raw ? (JSON.parse(raw) as Partial<ResumeEntry>) : {};
      return {
        id: typeof parsed.id === "string" ? parsed.id : null,
        token: typeof parsed.token === "string" ? parsed.token : null,
      };
    } catch {
      // unreadable or written by something else: start afresh
      return { id: null, token: null };
    }
  }

  #save(entry: ResumeEntry): void {
    try {
      this.#storage?.setItem(this.#key, JSON.stringify(entry));
    } catch {
      // full or forbidden: a reload then reconnects as a new connection, which the room also handles
    }
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    // a sandboxed frame throws on the mere access
    return null;
  }
}
