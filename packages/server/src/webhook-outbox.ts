import {
  newGeneration,
  SIGNATURE_HEADER,
  signWebhook,
  splitWebhookBatch,
  WEBHOOK_PART_BYTES,
  type WebhookBatch,
  type WebhookEvent,
  type WebhookPart,
} from "@herenow/core";
import type { ConnectionEvent, OccupancyEvent, RestoredConnection } from "@herenow/core/engine";
import { KEYS, MAX_KEYS_PER_CALL, PREFIXES } from "./storage-keys";
import {
  type Chunk,
  isSuccess,
  keepaliveAt,
  type OutboxMeta,
  partKey,
  type Reply,
  resultOf,
  type SealedBatch,
  toWebhookConnection,
  toWebhookEvent,
} from "./webhook-batch";

const META = KEYS.outboxMeta;
const BATCH = KEYS.outboxBatch;
const CHUNK_PREFIX = PREFIXES.outboxChunk;
/** Flush windows in one batch at most: their keys and the batch's own go in one delete. */
const MAX_CHUNKS_PER_BATCH = MAX_KEYS_PER_CALL - 1;
/** Events in one request at most; a backlog goes out over several. */
const MAX_EVENTS_PER_BATCH = 5000;
const MAX_BACKOFF_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface OutboxOptions {
  url: string;
  secret: string;
  /** How long events wait to be sent together. */
  batchMs: number;
  /** How often a room with connections tells the receiver it is alive. */
  keepAliveMs: number;
  /** The largest body to send; a larger batch goes in parts. Default (and at most) `WEBHOOK_PART_BYTES`, 1 MiB. */
  partBytes?: number;
  room: () => string;
  /** Every connection the room has now (a sharded room's, gathered from its shards: it may fail). */
  snapshot: () => Promise<RestoredConnection[]>;
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
 * and whenever it answers 409. A batch over `partBytes` (the snapshot of a
 * big room) goes out as numbered parts, one request each, that the receiver
 * applies as one; every part is stored as it was cut, so a retry sends the
 * same bytes.
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

  /** Queues the events of one diff interval: its connections' and the room's own (`occupied`, `vacated`). */
  enqueue(events: readonly (ConnectionEvent | OccupancyEvent)[], now: number): void {
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
    if (this.options.hasConnections()) return this.lastKeepAliveAt(meta) + this.options.keepAliveMs;
    return null;
  }

  private lastKeepAliveAt(meta: OutboxMeta): number {
    return meta.lastKeepAliveAt ?? meta.lastSentAt;
  }

  /** Sends what is due: a retry, the pending events, or a keep-alive. Never throws. */
  async deliver(now: number): Promise<void> {
    const meta = this.meta;
    const due = this.nextDue();
    if (!meta || this.inFlight || due === null || due > now) return;
    this.inFlight = true;
    try {
      try {
        this.sealed ??= await this.seal(now);
      } catch (error) {
        // a snapshot that could not be read (a shard did not answer): nothing was sealed or stored
        this.options.log(`webhook batch not sealed: ${error instanceof Error ? error.message : error}; will retry`);
        return await this.retryLater(now);
      }
      if (this.sealed.parts) await this.sendParts(this.sealed, now);
      else await this.send(this.sealed, now);
    } finally {
      this.inFlight = false;
    }
  }

  /**
   * Seals the next batch: the pending events of one generation, a snapshot
   * when one is owed, and a keep-alive when one is due. A keep-alive rides
   * along with events too, so a room whose events never stop still renews
   * its lease at the receiver.
   */
  private async seal(now: number): Promise<SealedBatch> {
    const meta = this.meta as OutboxMeta;
    const chunks = await this.storage.get<Chunk>(this.chunkKeys.slice(0, MAX_CHUNKS_PER_BATCH));
    const generation = chunks.get(this.chunkKeys[0] ?? "")?.generation ?? meta.generation;
    const events: WebhookEvent[] = [];
    const used: string[] = [];
    for (const key of this.chunkKeys.slice(0, MAX_CHUNKS_PER_BATCH)) {
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
    if (current && this.options.hasConnections() && now >= this.lastKeepAliveAt(meta) + this.options.keepAliveMs) {
      events.push({ type: "keepalive", at: now });
    }
    if (current && meta.needSnapshot && used.length === this.chunkKeys.length) {
      batch.snapshot = (await this.options.snapshot()).map(toWebhookConnection);
    }
    const seal = crypto.randomUUID().slice(0, 8);
    const parts = splitWebhookBatch(batch, this.options.partBytes ?? WEBHOOK_PART_BYTES, seal);
    if (!parts) {
      const sealed: SealedBatch = { batch, chunks: used };
      await this.storage.put(BATCH, sealed);
      return sealed;
    }
    const { snapshot: _, ...header } = batch;
    const sealed: SealedBatch = {
      batch: { ...header, events: [] },
      chunks: used,
      parts: {
        seal,
        count: parts.length,
        next: 1,
        snapshot: batch.snapshot !== undefined,
        keepalive: keepaliveAt(events),
      },
    };
    // The header goes in the last write, so a crash halfway leaves no header pointing at missing parts;
    // a snapshot of one object's connections fits in far fewer parts than one write takes.
    const entries: [string, unknown][] = parts.map((part) => [partKey(part.part.number), part]);
    entries.push([BATCH, sealed]);
    for (let i = 0; i < entries.length; i += MAX_KEYS_PER_CALL) {
      await this.storage.put(Object.fromEntries(entries.slice(i, i + MAX_KEYS_PER_CALL)));
    }
    return sealed;
  }

  /** Posts one body; the status is 0 when the request failed. */
  private async post(body: string, now: number): Promise<{ status: number; reply: Reply }> {
    let status = 0;
    let reply: Reply = {};
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
      reply = (await response.json().catch(() => ({}))) as Reply;
    } catch (error) {
      this.options.log(`webhook to ${this.options.url} failed: ${error instanceof Error ? error.message : error}`);
    }
    return { status, reply };
  }

  private async send(sealed: SealedBatch, now: number): Promise<void> {
    const { status, reply } = await this.post(JSON.stringify({ ...sealed.batch, sentAt: now }), now);
    await this.settle(sealed, status, reply, now);
  }

  /**
   * Sends the parts of a batch in order, one request each, from the first
   * the receiver has not accepted. `partial` answers a part while others are
   * missing; any other success means the whole batch is settled (applied
   * with this part, or earlier, or too old to matter).
   */
  private async sendParts(sealed: SealedBatch, now: number): Promise<void> {
    const parts = sealed.parts as NonNullable<SealedBatch["parts"]>;
    for (;;) {
      const part = await this.storage.get<WebhookPart>(partKey(parts.next));
      if (!part || part.part.seal !== parts.seal) {
        // storage lost a part: cut the batch again from its events (and a fresh snapshot if it had one)
        this.options.log(`webhook part ${parts.next} of batch ${sealed.batch.id} is missing; sealing it again`);
        await this.discard(sealed, now);
        return;
      }
      const { status, reply } = await this.post(JSON.stringify({ ...part, sentAt: now }), now);
      if (!isSuccess(status) || resultOf(reply) !== "partial") return this.settle(sealed, status, reply, now);
      if (parts.next < parts.count) {
        parts.next++;
        await this.storage.put(BATCH, sealed);
        continue;
      }
      // The receiver lost parts it had taken (a restored database): start over after a pause.
      this.options.log(`webhook receiver holds ${reply.received ?? "?"} of ${parts.count} parts; sending them again`);
      parts.next = 1;
      await this.storage.put(BATCH, sealed);
      return this.retryLater(now);
    }
  }

  private async settle(sealed: SealedBatch, status: number, reply: Reply, now: number): Promise<void> {
    if (isSuccess(status)) {
      await this.acknowledge(sealed, now);
    } else if (status === 409 && reply.need === "snapshot") {
      await this.resealWithSnapshot(sealed, now);
    } else {
      if (status !== 0) this.options.log(`webhook to ${this.options.url} answered ${status}; will retry`);
      await this.retryLater(now);
    }
  }

  private async retryLater(now: number): Promise<void> {
    const meta = this.meta as OutboxMeta;
    meta.attempt++;
    meta.retryAt = now + Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(meta.attempt, 10));
    await this.storage.put(META, meta);
  }

  private async acknowledge(sealed: SealedBatch, now: number): Promise<void> {
    const meta = this.meta as OutboxMeta;
    const done = new Set(sealed.chunks);
    this.chunkKeys = this.chunkKeys.filter((key) => !done.has(key));
    this.sealed = null;
    meta.nextSeq[sealed.batch.generation] = sealed.batch.seq + 1;
    const current = sealed.batch.generation === meta.generation;
    if (current && (sealed.batch.snapshot || sealed.parts?.snapshot)) meta.needSnapshot = false;
    const keepalive = sealed.parts ? sealed.parts.keepalive : keepaliveAt(sealed.batch.events);
    if (current && keepalive !== null) meta.lastKeepAliveAt = keepalive;
    // an older generation is done once none of its chunks wait
    for (const generation of Object.keys(meta.nextSeq)) {
      if (generation !== meta.generation && sealed.batch.generation !== generation) delete meta.nextSeq[generation];
    }
    meta.attempt = 0;
    meta.retryAt = null;
    meta.lastSentAt = now;
    this.firstPendingAt = this.chunkKeys.length > 0 ? now : null;
    await this.storage.delete([...sealed.chunks, BATCH]);
    await this.deleteParts(sealed);
    await this.storage.put(META, meta);
  }

  /** Drops a sealed batch whose parts cannot be sent; its events stay queued and go out again. */
  private async discard(sealed: SealedBatch, now: number): Promise<void> {
    await this.storage.delete(BATCH);
    await this.deleteParts(sealed);
    this.sealed = null;
    this.firstPendingAt = now - this.options.batchMs;
  }

  private async deleteParts(sealed: SealedBatch): Promise<void> {
    const keys = Array.from({ length: sealed.parts?.count ?? 0 }, (_, i) => partKey(i + 1));
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_CALL) {
      await this.storage.delete(keys.slice(i, i + MAX_KEYS_PER_CALL));
    }
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
    await this.discard(sealed, now);
    await this.storage.put(META, meta);
  }
}
