import {
  checkSignatureHeader,
  SIGNATURE_HEADER,
  verifyWebhook,
  type WebhookBatch,
  WebhookBatchSchema,
  type WebhookPart,
  WebhookPartSchema,
  type WebhookReply,
} from "@herenow/core";
import * as v from "valibot";
import type { PresenceStore } from "./store";
import { internalsOf } from "./store-internals";
import { applyWebhookBatch, ReceiverBugError } from "./webhook-apply";
import { applyWebhookPart, type PartOutcome } from "./webhook-parts";

/**
 * The largest body the receiver reads by default: 5 MiB, the protocol's
 * cap. Rooms send at most 1 MiB a body (a larger batch, such as the snapshot
 * of a big room, comes in parts), so this only needs changing to refuse
 * more, not to accept more.
 *
 * @example
 * createWebhookHandler({ store, secret, maxBodyBytes: DEFAULT_MAX_BODY_BYTES / 2 });
 */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** How long a room should wait before retrying when the database is unavailable, in seconds. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Options for {@link createWebhookHandler}.
 *
 * @example
 * const options: WebhookHandlerOptions = { store, secret: env.HERENOW_SECRET, onError: (e) => logger.error(e) };
 */
export interface WebhookHandlerOptions {
  /**
   * The store the handler writes through (from `createPresenceStore`): the
   * copy goes to its database, and its `onPresenceChanged` listeners hear of
   * each applied batch, as they hear of the store's own writes.
   */
  store: PresenceStore;
  /** The party's `HERENOW_SECRET`, which signs every batch. */
  secret: string;
  /** Bodies over this many bytes are refused with 413. Default 5 MiB. */
  maxBodyBytes?: number;
  /** The clock for the signature's 5-minute window and the batch ids' `applied_at`. Default `() => new Date()`. */
  now?: () => Date;
  /** Gets the errors behind 503 and 500 answers (a database outage, say); the room retries either way. */
  onError?: (error: unknown) => void;
}

/**
 * A web-standard request handler: mounts as a Next.js route
 * (`export const POST = handler`), in Hono, Remix or any server that speaks
 * `Request` and `Response`.
 *
 * @example
 * const response: Response = await handler(new Request(url, { method: "POST", headers, body }));
 */
export type WebhookHandler = (request: Request) => Promise<Response>;

/**
 * The receiver for the party's webhook (`HERENOW_WEBHOOK_URL`): checks the
 * signature, then applies each batch in one transaction so the database
 * stays an exact copy of the rooms whatever was lost, repeated, reordered
 * or restarted. A batch sent in parts is kept part by part and applied, as
 * one, with its last missing part. Answers 200
 * `{ result: "applied" | "duplicate" | "stale" }`, 200
 * `{ result: "partial", received, count }` for a part while others are
 * missing, 409 `{ result: "out_of_sync", need: "snapshot" }` (the room
 * resends with a full snapshot), 401 for a bad or old signature, 400 for a
 * malformed body, 405, 413, and 503 with `Retry-After` while the database
 * is unavailable (every reply also carries the result as `status`). Nothing
 * of a batch is written unless the answer is `applied`.
 *
 * @example
 * // app/api/herenow/events/route.ts
 * const store = createPresenceStore(createDb({ url: process.env.DATABASE_URL }));
 * export const POST = createWebhookHandler({ store, secret: process.env.HERENOW_SECRET! });
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { secret, store, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, onError } = options;
  const internals = typeof store === "object" && store !== null ? internalsOf(store) : undefined;
  if (!internals) {
    throw new TypeError(
      "createWebhookHandler needs `store`: a store from createPresenceStore(db), which it writes through",
    );
  }
  const { db, emit } = internals;
  const now = options.now ?? (() => new Date());
  if (typeof secret !== "string" || secret.length === 0) {
    throw new TypeError("createWebhookHandler needs `secret`: the party's HERENOW_SECRET, which signs every batch");
  }
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new RangeError(`createWebhookHandler: maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  }
  const report = (error: unknown) => {
    try {
      onError?.(error);
    } catch {
      // A failing error handler must not turn a 503 into a crash.
    }
  };

  return async (request) => {
    if (request.method !== "POST") {
      return json(405, { error: "use POST: this is the herenow webhook receiver" }, { allow: "POST" });
    }
    // The header first: a request with no (or an old) signature must cost no
    // body, or twenty unsigned 5 MiB posts at once hold 100 MiB of the server.
    const at = now();
    const signature = request.headers.get(SIGNATURE_HEADER);
    const header = checkSignatureHeader(signature, at.getTime());
    if (!header.ok) {
      await request.body?.cancel().catch(() => undefined);
      return json(401, { error: header.reason });
    }
    const body = await readBody(request, maxBodyBytes);
    if (body === "too large") return json(413, { error: `the body is over ${maxBodyBytes} bytes` });
    if (body === "unreadable") return json(400, { error: "the body could not be read" });

    const check = await verifyWebhook(body, signature, secret, at.getTime());
    if (!check.ok) return json(401, { error: check.reason });

    const parsed = parseBody(body);
    if (typeof parsed === "string") return json(400, { error: parsed });

    let outcome: PartOutcome;
    try {
      outcome = "part" in parsed ? await applyWebhookPart(db, parsed, at) : await applyWebhookBatch(db, parsed, at);
    } catch (error) {
      report(error);
      if (error instanceof ReceiverBugError) return json(500, { error: "the receiver failed on this batch" });
      return json(
        503,
        { error: "the database is unavailable; retry later" },
        { "retry-after": String(RETRY_AFTER_SECONDS) },
      );
    }
    const result = outcome.status;
    if (result === "out_of_sync") return json(409, { result, status: result, need: "snapshot" } satisfies WebhookReply);
    if (result === "partial") {
      const { received, count } = outcome;
      return json(200, { result, status: result, received, count } satisfies WebhookReply);
    }
    if (result === "applied" && outcome.change) emit(outcome.change);
    return json(200, { result, status: result } satisfies WebhookReply);
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/** Reads the body as text, giving up as soon as it passes `max` bytes (whatever Content-Length claims). */
async function readBody(request: Request, max: number): Promise<string | "too large" | "unreadable"> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > max) return "too large";
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        return "too large";
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return "unreadable";
  }
  return text + decoder.decode();
}

/** The batch or part, or what is wrong with it. */
function parseBody(body: string): WebhookBatch | WebhookPart | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return "the body is not JSON";
  }
  const isPart = typeof value === "object" && value !== null && "part" in value;
  const parsed = isPart ? v.safeParse(WebhookPartSchema, value) : v.safeParse(WebhookBatchSchema, value);
  if (!parsed.success) {
    const [issue] = parsed.issues;
    const path = issue?.path?.map((item) => String(item.key)).join(".");
    return `not a webhook ${isPart ? "part" : "batch"}: ${path ? `${path}: ` : ""}${issue?.message ?? "invalid"}`;
  }
  return parsed.output;
}
