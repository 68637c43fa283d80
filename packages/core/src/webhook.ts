import * as v from "valibot";
import { safeEqual } from "./constant-time";
import { USER_STATUSES, type UserStatus } from "./protocol";
import { LEAVE_REASONS, type LeaveReason } from "./room/connections";
import { isValidRoomName } from "./room-name";

/**
 * The body a room posts to `HERENOW_WEBHOOK_URL`. Batches of one generation
 * are numbered 1, 2, 3... and delivered one at a time, in order, until
 * accepted; `id` (`<generation>:<seq>`) makes a retried batch apply once.
 * A batch that carries a `snapshot` lists every connection the room has
 * after its events: the receiver replaces its copy with it. The first batch
 * of every generation carries one, so a restarted room leaves no ghosts.
 */
export interface WebhookBatch extends WebhookHeader {
  events: WebhookEvent[];
  snapshot?: WebhookConnection[];
}

/** What every body names: its batch (`id`, `generation`, `seq`), room and send time. */
export interface WebhookHeader {
  v: 1;
  id: string;
  room: string;
  /** Changes on every start of the room; sorts by start time (fixed-width base-36 ms, then random). */
  generation: string;
  seq: number;
  sentAt: number;
}

/** A connection as the webhook describes it. */
export interface WebhookConnection {
  connectionId: string;
  /** `kind: "agent"` for a member without a socket (`PUT .../members/<userId>`); people have no `kind`. */
  user: { id: string; name: string; info: Record<string, unknown>; kind?: "agent" } | null;
  joinedAt: number;
  lastSeen: number;
  /** Protocol 1.2: the connection's status (`active` when absent, as from a room before 1.2). */
  status?: UserStatus;
  /** Protocol 1.2: the last moment the connection was `active`, when it is not now. */
  activeAt?: number;
}

export type WebhookEvent =
  | { type: "join"; connectionId: string; user: WebhookConnection["user"]; at: number }
  | {
      type: "leave";
      connectionId: string;
      reason: LeaveReason;
      at: number;
      /**
       * The room's own measurement (docs/protocol.md, decision on time to leave): ms from the
       * connection's socket closing to the diff that told the others it left. Only on a leave
       * that followed a close the room saw.
       */
      leaveMs?: number;
    }
  /** Protocol 1.2: the connection's status changed at `at`. */
  | { type: "status"; connectionId: string; status: UserStatus; at: number }
  /** The room is alive and these connections are still there: refreshes their last-seen time. */
  | { type: "keepalive"; at: number }
  /** The room's first signed-in user arrived (its user count went from 0 to 1). */
  | { type: "occupied"; at: number }
  /** The room's last signed-in user left (its user count went from 1 to 0). */
  | { type: "vacated"; at: number };

/**
 * A batch too large for one body goes out as numbered parts: each carries
 * the batch's `id`, `room`, `generation` and `seq` and, inside `part`, its
 * slice of the events and of the snapshot. The receiver keeps the parts and
 * applies the batch, as one, when it holds all `count` of them. `seal`
 * names the content: parts with another seal under the same id are an older
 * cut of the batch and are dropped. A body with `part` has no top-level
 * `events`, so a receiver that predates parts refuses it (400) rather than
 * mistake part 1 for the whole snapshot.
 *
 * @example
 * const part: WebhookPart = { v: 1, id: "g:1", room: "hall", generation: "g", seq: 1, sentAt: Date.now(),
 *   part: { number: 1, count: 2, seal: "9c1e07d2", events: [], snapshot: [] } };
 */
export interface WebhookPart extends WebhookHeader {
  part: {
    /** 1 to `count`. */
    number: number;
    count: number;
    seal: string;
    events: WebhookEvent[];
    /** Present on every part of a batch that carries a snapshot (possibly empty). */
    snapshot?: WebhookConnection[];
  };
}

/**
 * What the receiver answers. `result` is the protocol's field; `status`
 * repeats it for readers written before the receiver followed the page.
 * `partial` answers a part while others are missing (`received` of
 * `count` held); the part that completes a batch is answered for the batch.
 * `409` with `need: "snapshot"` asks the room for a full snapshot.
 *
 * @example
 * const reply: WebhookReply = { result: "partial", status: "partial", received: 2, count: 7 };
 */
export interface WebhookReply {
  result: WebhookResult;
  status: WebhookResult;
  need?: "snapshot";
  received?: number;
  count?: number;
}

/** The outcomes a receiver reports for a batch or a part. */
export type WebhookResult = "applied" | "duplicate" | "stale" | "out_of_sync" | "partial";

/**
 * The largest body a room sends, in bytes: a batch over it goes out in
 * parts. Well under Vercel's 4.5 MB request limit and the receiver's 5 MiB
 * cap, and under a Durable Object's 2 MB per stored value, since the room
 * keeps each part as one value until it is accepted.
 */
export const WEBHOOK_PART_BYTES = 1024 * 1024;

const User = v.nullable(
  v.object({
    id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    name: v.pipe(v.string(), v.maxLength(64)),
    info: v.record(v.string(), v.unknown()),
    kind: v.optional(v.literal("agent")),
  }),
);
const ConnectionId = v.pipe(v.string(), v.minLength(1), v.maxLength(200));
const Time = v.pipe(v.number(), v.integer(), v.minValue(0));

const Event = v.variant("type", [
  v.object({ type: v.literal("join"), connectionId: ConnectionId, user: User, at: Time }),
  v.object({
    type: v.literal("leave"),
    connectionId: ConnectionId,
    reason: v.picklist(LEAVE_REASONS),
    at: Time,
    leaveMs: v.optional(Time),
  }),
  v.object({ type: v.literal("keepalive"), at: Time }),
  v.object({ type: v.literal("occupied"), at: Time }),
  v.object({ type: v.literal("vacated"), at: Time }),
  v.object({ type: v.literal("status"), connectionId: ConnectionId, status: v.picklist(USER_STATUSES), at: Time }),
]);
const Snapshot = v.array(
  v.object({
    connectionId: ConnectionId,
    user: User,
    joinedAt: Time,
    lastSeen: Time,
    status: v.optional(v.picklist(USER_STATUSES)),
    activeAt: v.optional(Time),
  }),
);
const Header = {
  v: v.literal(1),
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  room: v.pipe(
    v.string(),
    v.check((name: string) => isValidRoomName(name), "invalid room name"),
  ),
  generation: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  sentAt: Time,
};

/** Runtime schema of a webhook body that carries a whole batch, for receivers. */
export const WebhookBatchSchema = v.object({
  ...Header,
  events: v.array(Event),
  snapshot: v.optional(Snapshot),
});

/** Most parts one batch may come in: far more than a room of any size needs at 1 MiB a part. */
const MAX_PARTS = 100_000;

/** Runtime schema of a body that carries one part of a batch (it has `part` and no top-level `events`). */
export const WebhookPartSchema = v.object({
  ...Header,
  part: v.pipe(
    v.object({
      number: v.pipe(v.number(), v.integer(), v.minValue(1)),
      count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_PARTS)),
      seal: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
      events: v.array(Event),
      snapshot: v.optional(Snapshot),
    }),
    v.check((part) => part.number <= part.count, "number is over count"),
  ),
});

/** The signature header's name. */
export const SIGNATURE_HEADER = "herenow-signature";
/** How old a signature's `t` may be, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const encoder = new TextEncoder();

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
  return Array.from(signature, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The `herenow-signature` header for a body:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 *
 * @example
 * headers.set(SIGNATURE_HEADER, await signWebhook(body, secret));
 */
export async function signWebhook(body: string, secret: string, nowMs = Date.now()): Promise<string> {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

/**
 * Checks what a `herenow-signature` header says before the body is read: it
 * is there, well formed, and its `t` at most 5 minutes away. A receiver calls
 * it first, so a request that cannot be from a room costs it no body at all;
 * {@link verifyWebhook} then checks the HMAC over the body.
 *
 * @example
 * const header = checkSignatureHeader(request.headers.get(SIGNATURE_HEADER));
 * if (!header.ok) return new Response(header.reason, { status: 401 });
 */
export function checkSignatureHeader(
  header: string | null,
  nowMs = Date.now(),
): { ok: true; t: number; v1: string } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const parts = new Map(
    header.split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: "malformed signature header" };
  if (Math.abs(nowMs / 1000 - t) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: "signature timestamp is more than 5 minutes away" };
  }
  return { ok: true, t, v1 };
}

/**
 * Checks a `herenow-signature` header against the raw body: the header must
 * pass {@link checkSignatureHeader}, and the HMAC match (compared in
 * constant time).
 *
 * @example
 * const check = await verifyWebhook(rawBody, request.headers.get(SIGNATURE_HEADER), secret);
 * if (!check.ok) return new Response(check.reason, { status: 401 });
 */
export async function verifyWebhook(
  body: string,
  header: string | null,
  secret: string,
  nowMs = Date.now(),
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const checked = checkSignatureHeader(header, nowMs);
  if (!checked.ok) return checked;
  const expected = await hmacHex(secret, `${checked.t}.${body}`);
  return safeEqual(expected, checked.v1) ? { ok: true } : { ok: false, reason: "signature does not match" };
}

/**
 * A new generation id: the start time as fixed-width base-36 milliseconds,
 * then randomness, so ids of later starts sort after earlier ones.
 */
export function newGeneration(nowMs = Date.now()): string {
  return `${nowMs.toString(36).padStart(10, "0")}-${crypto.randomUUID().slice(0, 8)}`;
}
