import { jsonSize } from "./json-size";
import type { WebhookBatch, WebhookPart } from "./webhook";

/**
 * Cuts a batch whose body would be over `maxBytes` into numbered parts of at
 * most `maxBytes` each (as JSON in UTF-8, whatever `sentAt` a send stamps on
 * them): the events first, then the snapshot, in order. A single event or
 * connection larger than the budget still travels, alone in its part.
 * Returns `null` when the batch fits in one body and needs no parts.
 *
 * @example
 * const parts = splitWebhookBatch(batch, WEBHOOK_PART_BYTES, crypto.randomUUID().slice(0, 8));
 * for (const part of parts ?? []) await post(JSON.stringify(part));
 */
export function splitWebhookBatch(batch: WebhookBatch, maxBytes: number, seal: string): WebhookPart[] | null {
  if (jsonSize(batch) <= maxBytes) return null;
  const { events, snapshot, ...header } = batch;
  // the widest numbers a part may carry, so the estimate holds once the real ones are in
  const envelope = jsonSize({
    ...header,
    sentAt: Number.MAX_SAFE_INTEGER,
    part: { number: 1e6, count: 1e6, seal, events: [], ...(snapshot ? { snapshot: [] } : {}) },
  });
  const slices: WebhookPart["part"][] = [];
  let slice: WebhookPart["part"] = newSlice(seal, snapshot !== undefined);
  let size = envelope;
  let items = 0;
  const add = (item: unknown, into: (part: WebhookPart["part"]) => void) => {
    // a comma before every item but the first, which costs at most one byte too many
    const bytes = jsonSize(item) + 1;
    if (items > 0 && size + bytes > maxBytes) {
      slices.push(slice);
      slice = newSlice(seal, snapshot !== undefined);
      size = envelope;
      items = 0;
    }
    into(slice);
    size += bytes;
    items++;
  };
  for (const event of events) add(event, (part) => part.events.push(event));
  for (const connection of snapshot ?? []) add(connection, (part) => part.snapshot?.push(connection));
  slices.push(slice);
  return slices.map((part, i) => ({ ...header, part: { ...part, number: i + 1, count: slices.length } }));
}

function newSlice(seal: string, withSnapshot: boolean): WebhookPart["part"] {
  return { number: 0, count: 0, seal, events: [], ...(withSnapshot ? { snapshot: [] } : {}) };
}

/**
 * The batch that a complete set of parts carries: their events and their
 * snapshots joined in part order. Throws when the parts are not one whole
 * (missing or repeated numbers, or different batches or seals).
 *
 * @example
 * const batch = joinWebhookParts(staged.sort((a, b) => a.part.number - b.part.number));
 */
export function joinWebhookParts(parts: readonly WebhookPart[]): WebhookBatch {
  const first = parts[0];
  if (!first) throw new Error("joinWebhookParts: no parts");
  const { id, room, generation, seq, part } = first;
  parts.forEach((p, i) => {
    if (p.id !== id || p.room !== room || p.part.seal !== part.seal || p.part.count !== part.count) {
      throw new Error(`joinWebhookParts: part ${p.part.number} does not belong with the first of ${room} ${id}`);
    }
    if (part.count !== parts.length) throw new Error(`joinWebhookParts: ${parts.length} of ${part.count} parts`);
    if (p.part.number !== i + 1) throw new Error(`joinWebhookParts: expected part ${i + 1}, got ${p.part.number}`);
  });
  const batch: WebhookBatch = {
    v: 1,
    id,
    room,
    generation,
    seq,
    sentAt: parts.reduce((latest, p) => Math.max(latest, p.sentAt), 0),
    events: parts.flatMap((p) => p.part.events),
  };
  if (parts.some((p) => p.part.snapshot)) batch.snapshot = parts.flatMap((p) => p.part.snapshot ?? []);
  return batch;
}
