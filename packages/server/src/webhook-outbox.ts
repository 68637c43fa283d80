import {
  type ConnectionEvent,
  newGeneration,
  type RestoredConnection,
  SIGNATURE_HEADER,
  signWebhook,
  type WebhookBatch,
  type WebhookConnection,
  type WebhookEvent,
} from "@herenow/core";

const META = "wh:meta";
const BATCH = "wh:batch";
const CHUNK_PREFIX = "wh:c:";
/** Events in one request at most; a backlog goes out over several. */
const MAX_EVENTS_PER_BATCH = 5000;
const MAX_BACKOFF_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface OutboxMeta {
  generation: string;
  /** Number of the next batch of each generation that still has batches to send. */
  nextSeq: Record<string, number>;
  nextChunk: number;
  /** The next batch of the current generation must carry a full snapshot. */
  needSnapshot: boolean;
  attempt: number;
  retryAt: number | null;
  lastSentAt: number;
}

interface Chunk {
  generation: string;
  events: WebhookEvent[];
}

interface SealedBatch {
  batch: WebhookBatch;
  chunks: string[];
}

export interface OutboxOptions {
  url: string;
  secret: string;
  /** How long events wait to be sent together. */
  batchMs: number;
  /** How often a room with connections tells the receiver it is alive. */
  keepAliveMs: number;
  room: () => string;
  /** Every connection the room has now. */
  snapshot: () => RestoredConnection[];
  hasConnections: () => boolean;
  log: (message: string) => void;
  fetch?: typeof fetch;
}

/**
 * Delivers a room's connection events to `HERENOW_WEBHOOK_URL`: batched
 * (one request per batch window, not per event), one batch in flight at a
 * time and in order, retried with exponential backoff from the room's alarm,
 * and kept in room storage so neither a restart nor hibernation loses one.
 * The receiver gets a full snapshot with the first batch of every generation
 * and whenever it answers 409.
 */
export class WebhookOutbox {
  private meta: OutboxMeta | null = null;
  private chunkKeys: string[] = [];
  private sealed: SealedBatch | null = null;
  private firstPendingAt: number | null = null;
  private inFlight = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly options: OutboxOptions,
  ) {}

  /**
   * Loads the outbox. A room that starts with no open socket (a new room, a
   * restart) begins a new generation and owes the receiver a snapshot.
   */
  async load(fresh: boolean, now: number): Promise<void> {
    const [meta, chunks, sealed] = await Promise.all([
      this.storage.get<OutboxMeta>(META),
      this.storage.list<Chunk>({ prefix: CHUNK_PREFIX }),
      this.storage.get<SealedBatch>(BATCH),
    ]);
    this.chunkKeys = [...chunks.keys()];
    this.sealed = sealed ?? null;
    if (this.chunkKeys.length > 0 || this.sealed) this.firstPendingAt = now;
    const base: OutboxMeta = meta ?? {
      generation: "",
      nextSeq: {},
      nextChunk: 1,
      needSnapshot: true,
      attempt: 0,
      retryAt: null,
      lastSentAt: 0,
    };
    if (fresh || !base.generation) {
      base.generation = newGeneration(now);
      base.nextSeq[base.generation] = 1;
      base.needSnapshot = true;
      base.attempt = 0;
      base.retryAt = null;
    }
    this.meta = base;
    await this.storage.put(META, base);
  }

  get generation(): string {
    return this.meta?.generation ?? "";
  }

  /** Queues the connection events of one flush window. */
  enqueue(events: ConnectionEvent[], now: number): void {
    const meta = this.meta;
    if (!meta || events.length === 0) return;
    const chunk: Chunk = { generation: meta.generation, events: events.map(toWebhookEvent) };
    const key = CHUNK_PREFIX + String(meta.nextChunk++).padStart(12, "0");
    this.chunkKeys.push(key);
    void this.storage.put({ [key]: chunk, [META]: meta });
    this.firstPendingAt ??= now;
  }

  /** When the outbox next wants the alarm, or `null`. */
  nextDue(): number | null {
    const meta = this.meta;
    if (!meta) return null;
    if (meta.retryAt !== null) return meta.retryAt;
    if (this.sealed || this.chunkKeys.length > 0 || meta.needSnapshot) {
      return (this.firstPendingAt ?? meta.lastSentAt) + this.options.batchMs;
    }
    if (this.options.hasConnections()) return meta.lastSentAt + this.options.keepAliveMs;
    return null;
  }

  /** Sends what is due: a retry, the pending events, or a keep-alive. Never throws. */
  async deliver(now: number): Promise<void> {
    const meta = this.meta;
    const due = this.nextDue();
    if (!meta || this.inFlight || due === null || due > now) return;
    this.inFlight = true;
    try {
      if (!this.sealed && this.chunkKeys.length === 0 && !meta.needSnapshot) {
        this.sealed = await this.seal([{ type: "keepalive", at: now }], now);
      }
      this.sealed ??= await this.seal([], now);
      await this.send(this.sealed, now);
    } finally {
      this.inFlight = false;
    }
  }

  private async seal(extra: WebhookEvent[], now: number): Promise<SealedBatch> {
    const meta = this.meta as OutboxMeta;
    const chunks = await this.storage.get<Chunk>(this.chunkKeys.slice(0, 200));
    const generation = chunks.get(this.chunkKeys[0] ?? "")?.generation ?? meta.generation;
    const events: WebhookEvent[] = [...extra];
    const used: string[] = [];
    for (const key of this.chunkKeys.slice(0, 200)) {
      const chunk = chunks.get(key);
      if (!chunk) {
        used.push(key);
        continue;
      }
      if (chunk.generation !== generation) break;
      if (used.length > 0 && events.length + chunk.events.length > MAX_EVENTS_PER_BATCH) break;
      events.push(...chunk.events);
      used.push(key);
    }
    const current = generation === meta.generation;
    const seq = meta.nextSeq[generation] ?? 1;
    const batch: WebhookBatch = {
      v: 1,
      id: `${generation}:${seq}`,
      room: this.options.room(),
      generation,
      seq,
      sentAt: now,
      events,
    };
    if (current && meta.needSnapshot && used.length === this.chunkKeys.length) {
      batch.snapshot = this.options.snapshot().map(toWebhookConnection);
    }
    const sealed = { batch, chunks: used };
    await this.storage.put(BATCH, sealed);
    return sealed;
  }

  private async send(sealed: SealedBatch, now: number): Promise<void> {
    const meta = this.meta as OutboxMeta;
    const body = JSON.stringify({ ...sealed.batch, sentAt: now });
    let status = 0;
    let reply: { need?: string } = {};
    try {
      const response = await (this.options.fetch ?? fetch)(this.options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: await signWebhook(body, this.options.secret, now),
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = response.status;
      reply = (await response.json().catch(() => ({}))) as { need?: string };
    } catch (error) {
      this.options.log(`webhook to ${this.options.url} failed: ${error instanceof Error ? error.message : error}`);
    }
    if (status >= 200 && status < 300) {
      await this.acknowledge(sealed, now);
    } else if (status === 409 && reply.need === "snapshot") {
      await this.resealWithSnapshot(sealed, now);
    } else {
      if (status !== 0) this.options.log(`webhook to ${this.options.url} answered ${status}; will retry`);
      meta.attempt++;
      meta.retryAt = now + Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(meta.attempt, 10));
      await this.storage.put(META, meta);
    }
  }

  private async acknowledge(sealed: SealedBatch, now: number): Promise<void> {
    const meta = this.meta as OutboxMeta;
    const done = new Set(sealed.chunks);
    this.chunkKeys = this.chunkKeys.filter((key) => !done.has(key));
    this.sealed = null;
    meta.nextSeq[sealed.batch.generation] = sealed.batch.seq + 1;
    if (sealed.batch.generation === meta.generation && sealed.batch.snapshot) meta.needSnapshot = false;
    // an older generation is done once none of its chunks wait
    for (const generation of Object.keys(meta.nextSeq)) {
      if (generation !== meta.generation && sealed.batch.generation !== generation) delete meta.nextSeq[generation];
    }
    meta.attempt = 0;
    meta.retryAt = null;
    meta.lastSentAt = now;
    this.firstPendingAt = this.chunkKeys.length > 0 ? now : null;
    await this.storage.delete([...sealed.chunks, BATCH]);
    await this.storage.put(META, meta);
  }

  /**
   * The receiver lost track (a lost batch, a database restored from backup):
   * it applied nothing of this batch, so the same number may go out again
   * with every pending event and a full snapshot. A batch of an older
   * generation cannot be repaired; the current generation's snapshot covers it.
   */
  private async resealWithSnapshot(sealed: SealedBatch, now: number): Promise<void> {
    const meta = this.meta as OutboxMeta;
    meta.needSnapshot = true;
    meta.retryAt = null;
    meta.attempt = 0;
    if (sealed.batch.generation !== meta.generation) {
      this.options.log(`webhook receiver has no copy of generation ${sealed.batch.generation}; skipping to a snapshot`);
      await this.acknowledge(sealed, meta.lastSentAt);
      meta.needSnapshot = true;
      await this.storage.put(META, meta);
      return;
    }
    await this.storage.delete(BATCH);
    this.sealed = null;
    this.firstPendingAt = now - this.options.batchMs;
    await this.storage.put(META, meta);
  }
}

function toWebhookEvent(event: ConnectionEvent): WebhookEvent {
  return event.type === "join"
    ? { type: "join", connectionId: event.connectionId, user: event.user, at: event.at }
    : { type: "leave", connectionId: event.connectionId, reason: event.reason, at: event.at };
}

function toWebhookConnection(connection: RestoredConnection): WebhookConnection {
  return {
    connectionId: connection.id,
    user: connection.user,
    joinedAt: connection.joinedAt,
    lastSeen: connection.lastSeen,
  };
}
