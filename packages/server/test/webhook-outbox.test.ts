import {
  joinWebhookParts,
  verifyWebhook,
  WEBHOOK_PART_BYTES,
  type WebhookBatch,
  WebhookBatchSchema,
  type WebhookPart,
  WebhookPartSchema,
} from "@herenow/core";
import { type ConnectionEvent, type RestoredConnection, utf8Length } from "@herenow/core/engine";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { KEYS, PREFIXES, STORAGE_PREFIX } from "../src/storage-keys";
import { WebhookOutbox } from "../src/webhook-outbox";

// The sending half of the webhook in Node: the outbox against an in-memory
// storage that refuses what a Durable Object refuses (values over 2 MB, more
// than 128 keys a call), and a receiver that follows the protocol page with
// core's schemas and core's joining of parts. test/rooms runs the real thing.

const SECRET = "outbox-test-secret-0123456789abcdefghij";
const VALUE_LIMIT = 2 * 1024 * 1024;

/** DurableObjectStorage's key-value calls the outbox uses, with the runtime's limits. */
class MemoryStorage {
  readonly values = new Map<string, unknown>();
  largestValue = 0;

  private keysOf(keys: string | string[]): string[] {
    const list = Array.isArray(keys) ? keys : [keys];
    if (list.length > 128) throw new Error(`${list.length} keys in one call: at most 128`);
    return list;
  }

  async get(keys: string | string[]): Promise<unknown> {
    if (!Array.isArray(keys)) return structuredClone(this.values.get(keys));
    return new Map(
      this.keysOf(keys).flatMap((k) => (this.values.has(k) ? [[k, structuredClone(this.values.get(k))]] : [])),
    );
  }

  async put(key: string | Record<string, unknown>, value?: unknown): Promise<void> {
    const entries = typeof key === "string" ? { [key]: value } : key;
    this.keysOf(Object.keys(entries));
    for (const [k, item] of Object.entries(entries)) {
      const size = utf8Length(JSON.stringify(item));
      if (size > VALUE_LIMIT) throw new Error(`value of ${k} is ${size} bytes: over the 2 MB a value may hold`);
      this.largestValue = Math.max(this.largestValue, size);
      this.values.set(k, structuredClone(item));
    }
  }

  async delete(keys: string | string[]): Promise<void> {
    for (const k of this.keysOf(keys)) this.values.delete(k);
  }

  async list(options: { prefix: string }): Promise<Map<string, unknown>> {
    return new Map([...this.values].filter(([k]) => k.startsWith(options.prefix)).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  keys(prefix: string): string[] {
    return [...this.values.keys()].filter((k) => k.startsWith(prefix));
  }
}

type Script = (body: WebhookBatch | WebhookPart) => { status: number; reply?: unknown } | null;

/** A receiver after the protocol page: applies whole batches and joined parts in order, in memory. */
class Receiver {
  readonly bodies: { bytes: number; body: WebhookBatch | WebhookPart }[] = [];
  readonly applied: WebhookBatch[] = [];
  staged = new Map<number, WebhookPart>();
  /** Answers instead of the receiver when it returns a reply. */
  script: Script = () => null;

  readonly fetch = (async (_url: string, init: RequestInit) => {
    const text = String(init.body);
    const headers = init.headers as Record<string, string>;
    const check = await verifyWebhook(text, headers["herenow-signature"] ?? null, SECRET, Date.now());
    if (!check.ok) return Response.json({ error: check.reason }, { status: 401 });
    const value = JSON.parse(text);
    const body = "part" in value ? v.parse(WebhookPartSchema, value) : v.parse(WebhookBatchSchema, value);
    this.bodies.push({ bytes: utf8Length(text), body });
    const scripted = this.script(body);
    if (scripted) return Response.json(scripted.reply ?? {}, { status: scripted.status });
    if (this.applied.some((b) => b.id === body.id)) return reply("duplicate");
    if (!("part" in body)) return this.apply(body);
    const held = [...this.staged.values()][0];
    if (held && (held.id !== body.id || held.part.seal !== body.part.seal)) this.staged.clear();
    this.staged.set(body.part.number, body);
    if (this.staged.size < body.part.count)
      return reply("partial", { received: this.staged.size, count: body.part.count });
    const parts = [...this.staged.values()].sort((a, b) => a.part.number - b.part.number);
    this.staged.clear();
    return this.apply(joinWebhookParts(parts));
  }) as unknown as typeof fetch;

  private apply(batch: WebhookBatch): Response {
    const last = this.applied.at(-1);
    const next = last && last.generation === batch.generation ? last.seq + 1 : 1;
    if (batch.seq !== next && !batch.snapshot) return reply("out_of_sync", { need: "snapshot" }, 409);
    this.applied.push(batch);
    return reply("applied");
  }

  parts(): WebhookPart[] {
    return this.bodies.flatMap(({ body }) => ("part" in body ? [body] : []));
  }
}

function reply(result: string, extra: Record<string, unknown> = {}, status = 200): Response {
  return Response.json({ result, status: result, ...extra }, { status });
}

const connection = (i: number): RestoredConnection => ({
  id: `conn-${String(i).padStart(6, "0")}`,
  user: i % 10 === 0 ? null : { id: `user-${i}`, name: `User ${i}`, info: { n: i } },
  joinedAt: 1_764_300_000_000,
  lastSeen: 1_764_300_000_000,
  since: 1_764_300_000_000,
});

function setup(options: { size: number; partBytes?: number; keepAliveMs?: number }) {
  const storage = new MemoryStorage();
  const receiver = new Receiver();
  let members = Array.from({ length: options.size }, (_, i) => connection(i));
  let snapshotFails = false;
  const logs: string[] = [];
  const outbox = new WebhookOutbox(storage as unknown as DurableObjectStorage, {
    url: "http://receiver.test/events",
    secret: SECRET,
    batchMs: 100,
    keepAliveMs: options.keepAliveMs ?? 30_000,
    ...(options.partBytes ? { partBytes: options.partBytes } : {}),
    room: () => "stadium",
    snapshot: async () => {
      if (snapshotFails) throw new Error("shard 1 of the room did not answer");
      return members;
    },
    hasConnections: () => members.length > 0,
    log: (message) => logs.push(message),
    fetch: receiver.fetch,
  });
  return {
    storage,
    receiver,
    outbox,
    logs,
    setMembers: (list: RestoredConnection[]) => {
      members = list;
    },
    /** A sharded room whose shard does not answer: the snapshot cannot be read. */
    failSnapshot: (fails: boolean) => {
      snapshotFails = fails;
    },
  };
}

const join = (i: number, at: number): ConnectionEvent => ({
  type: "join",
  connectionId: `late-${i}`,
  user: { id: `late-${i}`, name: "Late", info: {} },
  at,
});

describe("WebhookOutbox", () => {
  it("sends a 50,000-connection snapshot in parts of at most 1 MiB, each stored as a value of its own", async () => {
    const { storage, receiver, outbox } = setup({ size: 50_000 });
    const t0 = Date.now();
    await outbox.load(true, t0);
    const started = performance.now();
    await outbox.deliver(t0 + 100);
    const elapsed = performance.now() - started;

    const parts = receiver.parts();
    expect(parts.length).toBeGreaterThanOrEqual(6);
    console.info(`50,000 connections sealed and sent in ${parts.length} parts in ${Math.round(elapsed)} ms`);
    expect(receiver.bodies.every(({ bytes }) => bytes <= WEBHOOK_PART_BYTES)).toBe(true);
    expect(new Set(parts.map((p) => p.part.seal)).size).toBe(1);
    expect(parts.map((p) => p.part.number)).toEqual(parts.map((_, i) => i + 1));
    expect(storage.largestValue).toBeLessThanOrEqual(WEBHOOK_PART_BYTES);
    const [batch] = receiver.applied;
    expect(batch?.snapshot?.map((c) => c.connectionId)).toEqual(
      Array.from({ length: 50_000 }, (_, i) => connection(i).id),
    );
    expect(batch).toMatchObject({ seq: 1, id: `${outbox.generation}:1` });
    // delivered: nothing of it stays in storage, and the next batch is whole and numbered 2
    expect(storage.keys(PREFIXES.outboxPart)).toEqual([]);
    expect(storage.keys(KEYS.outboxBatch)).toEqual([]);
    outbox.enqueue([join(1, t0 + 200)], t0 + 200);
    await outbox.deliver(t0 + 400);
    expect(receiver.bodies.at(-1)?.body).toMatchObject({ seq: 2, events: [{ connectionId: "late-1" }] });
    expect(receiver.bodies.at(-1)?.body).not.toHaveProperty("part");
  });

  it("sends nothing while the snapshot cannot be read (a shard did not answer), and the whole snapshot once it can", async () => {
    const { storage, receiver, outbox, logs, failSnapshot } = setup({ size: 3 });
    const t0 = Date.now();
    await outbox.load(true, t0);
    outbox.enqueue([join(1, t0 + 10)], t0 + 10);
    failSnapshot(true);
    await outbox.deliver(t0 + 200);
    expect(receiver.bodies).toEqual([]);
    expect(storage.keys(KEYS.outboxBatch)).toEqual([]);
    expect(logs.join("\n")).toContain("shard 1 of the room did not answer");
    const retryAt = outbox.nextDue() as number;
    expect(retryAt).toBeGreaterThan(t0 + 200);
    failSnapshot(false);
    await outbox.deliver(retryAt);
    expect(receiver.applied).toHaveLength(1);
    expect(receiver.applied[0]).toMatchObject({ seq: 1 });
    expect(receiver.applied[0]?.events[0]).toMatchObject({ type: "join", connectionId: "late-1" });
    expect(receiver.applied[0]?.snapshot?.map((c) => c.connectionId)).toEqual([0, 1, 2].map((i) => connection(i).id));
  });

  it("resumes at the part that failed, with the same bytes, after a retry", async () => {
    const { receiver, outbox, logs } = setup({ size: 300, partBytes: 4096 });
    const t0 = Date.now();
    await outbox.load(true, t0);
    receiver.script = (body) => ("part" in body && body.part.number === 3 ? { status: 503 } : null);
    await outbox.deliver(t0 + 100);
    expect(receiver.parts().map((p) => p.part.number)).toEqual([1, 2, 3]);
    expect(receiver.applied).toEqual([]);
    expect(logs).toEqual([expect.stringContaining("answered 503")]);
    const retryAt = outbox.nextDue() ?? 0;
    expect(retryAt).toBeGreaterThan(t0 + 100);

    receiver.script = () => null;
    await outbox.deliver(retryAt);
    const sent = receiver.parts();
    expect(sent.map((p) => p.part.number)).toEqual([1, 2, 3, ...sent.slice(3).map((_, i) => i + 3)]);
    // the retried part is the one that failed, cut the same way
    expect({ ...sent[3], sentAt: 0 }).toEqual({ ...sent[2], sentAt: 0 });
    expect(receiver.applied[0]?.snapshot).toHaveLength(300);
  });

  it("cuts the batch again, under a new seal, when the receiver asks for a snapshot", async () => {
    const { storage, receiver, outbox } = setup({ size: 200, partBytes: 4096 });
    const t0 = Date.now();
    await outbox.load(true, t0);
    receiver.script = (body) =>
      "part" in body && body.part.number === 2 ? { status: 409, reply: { need: "snapshot" } } : null;
    await outbox.deliver(t0 + 100);
    const first = receiver.parts();
    expect(first).toHaveLength(2);
    receiver.script = () => null;
    receiver.staged.clear();
    await outbox.deliver(outbox.nextDue() ?? 0);
    const again = receiver.parts().slice(2);
    expect(again[0]?.part.number).toBe(1);
    expect(again[0]?.part.seal).not.toBe(first[0]?.part.seal);
    expect(receiver.applied.map((b) => [b.seq, b.snapshot?.length])).toEqual([[1, 200]]);
    expect(storage.keys(PREFIXES.outboxPart)).toEqual([]);
  });

  it("sends every part again when the receiver lost some it had taken", async () => {
    const { receiver, outbox, logs } = setup({ size: 200, partBytes: 4096 });
    const t0 = Date.now();
    await outbox.load(true, t0);
    // the receiver forgets part 1 before the last arrives
    receiver.script = (body) => {
      if ("part" in body && body.part.number === body.part.count) receiver.staged.delete(1);
      return null;
    };
    await outbox.deliver(t0 + 100);
    const count = receiver.parts()[0]?.part.count ?? 0;
    expect(receiver.applied).toEqual([]);
    expect(logs).toEqual([expect.stringContaining(`of ${count} parts; sending them again`)]);
    receiver.script = () => null;
    await outbox.deliver(outbox.nextDue() ?? 0);
    expect(
      receiver
        .parts()
        .slice(count)
        .map((p) => p.part.number)[0],
    ).toBe(1);
    expect(receiver.applied[0]?.snapshot).toHaveLength(200);
  });

  it("cuts the batch again when a stored part is gone, and the receiver drops the old cut", async () => {
    const { storage, receiver, outbox, logs } = setup({ size: 200, partBytes: 4096 });
    const t0 = Date.now();
    await outbox.load(true, t0);
    receiver.script = (body) => ("part" in body && body.part.number === 2 ? { status: 503 } : null);
    await outbox.deliver(t0 + 100);
    const [first] = receiver.parts();
    await storage.delete(`${PREFIXES.outboxPart}000002`);
    receiver.script = () => null;
    await outbox.deliver(outbox.nextDue() ?? 0);
    expect(logs).toContainEqual(expect.stringContaining("part 2 of batch"));
    await outbox.deliver(outbox.nextDue() ?? 0);
    const resent = receiver.parts().slice(2);
    expect(resent[0]?.part).toMatchObject({ number: 1 });
    expect(resent[0]?.part.seal).not.toBe(first?.part.seal);
    expect(receiver.applied.map((b) => [b.seq, b.snapshot?.length])).toEqual([[1, 200]]);
    expect(storage.keys(`${STORAGE_PREFIX}wh:`)).toEqual([KEYS.outboxMeta]);
  });

  it("renews the lease of a room whose events never stop, once per keep-alive interval", async () => {
    const { receiver, outbox } = setup({ size: 3, keepAliveMs: 1000 });
    const t0 = Date.now();
    await outbox.load(true, t0);
    await outbox.deliver(t0 + 100);
    // an event every 100 ms for 5 s: the room is never idle
    for (let t = 200; t <= 5000; t += 100) {
      outbox.enqueue([join(t, t0 + t)], t0 + t);
      await outbox.deliver(t0 + t + 100);
    }
    const keepalives = receiver.applied.flatMap((b) => b.events.filter((e) => e.type === "keepalive"));
    expect(keepalives.length).toBeGreaterThanOrEqual(4);
    expect(keepalives.length).toBeLessThanOrEqual(6);
    const gaps = keepalives.slice(1).map((e, i) => e.at - (keepalives[i]?.at ?? 0));
    expect(gaps.every((gap) => gap >= 1000 && gap <= 1200)).toBe(true);
    // and a room that goes quiet still sends one on its own
    const quietAt = outbox.nextDue() ?? 0;
    expect(quietAt).toBeLessThanOrEqual((keepalives.at(-1)?.at ?? 0) + 1000);
    await outbox.deliver(quietAt);
    expect(receiver.applied.at(-1)?.events).toEqual([{ type: "keepalive", at: quietAt }]);
  });
});
