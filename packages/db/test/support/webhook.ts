import {
  SIGNATURE_HEADER,
  signWebhook,
  type UserStatus,
  type WebhookBatch,
  type WebhookConnection,
  type WebhookEvent,
} from "@herenow/core";
import { at } from "./clock";

export const SECRET = "webhook-test-secret-0123456789abcdefghij";
/** Two generation ids of one room, the second started later (they sort as strings). */
export const GEN1 = "00mih3k8g0-aaaaaaaa";
export const GEN2 = "00mih3k9zz-bbbbbbbb";

/** Milliseconds since the epoch for `at(seconds)`. */
export const ms = (seconds: number) => at(seconds).getTime();

export const ann = { id: "u1", name: "Ann", info: { colour: "teal" } };
export const bo = { id: "u2", name: "Bo", info: {} };
export const cy = { id: "u3", name: "Cy", info: {} };

type User = WebhookConnection["user"];

export const join = (connectionId: string, user: User, seconds: number): WebhookEvent => ({
  type: "join",
  connectionId,
  user,
  at: ms(seconds),
});

export const leave = (
  connectionId: string,
  seconds: number,
  reason: "left" | "closed" | "stale" | "kicked" = "left",
): WebhookEvent => ({ type: "leave", connectionId, reason, at: ms(seconds) });

export const keepalive = (seconds: number): WebhookEvent => ({ type: "keepalive", at: ms(seconds) });

/** Protocol 1.2: the connection's status changed. */
export const status = (connectionId: string, to: UserStatus, seconds: number): WebhookEvent => ({
  type: "status",
  connectionId,
  status: to,
  at: ms(seconds),
});

/** A snapshot's connection; `reported` adds 1.2's status and the second it was last active. */
export const conn = (
  connectionId: string,
  user: User,
  joined: number,
  seen = joined,
  reported?: { status: UserStatus; activeAt: number },
): WebhookConnection => ({
  connectionId,
  user,
  joinedAt: ms(joined),
  lastSeen: ms(seen),
  ...(reported ? { status: reported.status, activeAt: ms(reported.activeAt) } : {}),
});

/** A batch numbered like the party numbers them: id `<generation>:<seq>`. */
export function batch(
  seq: number,
  events: WebhookEvent[],
  options: { room?: string; generation?: string; snapshot?: WebhookConnection[] } = {},
): WebhookBatch {
  const generation = options.generation ?? GEN1;
  return {
    v: 1,
    id: `${generation}:${seq}`,
    room: options.room ?? "lobby",
    generation,
    seq,
    sentAt: ms(0),
    events,
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  };
}

/** A signed POST of a batch (or of any body), as the party sends it. */
export async function signedRequest(
  body: WebhookBatch | string,
  options: { secret?: string; signedAtMs?: number; method?: string } = {},
): Promise<Request> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Request("http://receiver.test/api/herenow/events", {
    method: options.method ?? "POST",
    headers: {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: await signWebhook(text, options.secret ?? SECRET, options.signedAtMs ?? ms(0)),
    },
    body: text,
  });
}

/** A reply's body: the protocol's `result`, repeated as `status` for older readers. */
export const answer = (result: string) => ({ result, status: result });
