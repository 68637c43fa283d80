import * as v from "valibot";
import { isJsonObject, jsonObjectSchema } from "./json-object";
import { exceedsUtf8, jsonSize } from "./json-size";
import type { AppMessage, ErrorCode, PresenceClientMessage } from "./protocol";
import { LIMITS, USER_STATUSES } from "./protocol";

const PlainObject = jsonObjectSchema("must be a JSON object");

const UserId = v.pipe(
  v.string("must hold user ids"),
  v.minLength(1, "holds an empty id"),
  v.maxLength(128, "holds an id longer than 128 characters"),
);

const PresenceClientSchema = v.variant("type", [
  v.object({ type: v.literal("presence:heartbeat") }),
  v.object({ type: v.literal("presence:state"), state: PlainObject }),
  v.object({ type: v.literal("presence:resync") }),
  v.object({ type: v.literal("presence:leave") }),
  v.object({
    type: v.literal("presence:status"),
    status: v.picklist(USER_STATUSES, `must be one of ${USER_STATUSES.join(", ")}`),
  }),
  v.object({
    type: v.literal("presence:follow"),
    ids: v.pipe(
      v.array(UserId, "must be an array of user ids"),
      v.maxLength(LIMITS.maxFollows, `may hold at most ${LIMITS.maxFollows} ids`),
    ),
  }),
  v.object({
    type: v.literal("presence:list"),
    after: v.optional(
      v.nullable(v.pipe(v.string("must be a cursor from presence:page"), v.maxLength(200, "is not a cursor"))),
    ),
    limit: v.optional(
      v.pipe(
        v.number("must be a number"),
        v.integer("must be a whole number"),
        v.minValue(1, "must be at least 1"),
        v.maxValue(LIMITS.maxPageSize, `may be at most ${LIMITS.maxPageSize}`),
      ),
    ),
  }),
]);

const PRESENCE_TYPES = PresenceClientSchema.options.map((option) => option.entries.type.literal);

/** A client frame, classified. */
export type ParsedClientMessage =
  | { ok: true; kind: "presence"; message: PresenceClientMessage }
  | { ok: true; kind: "app"; message: AppMessage }
  | { ok: false; code: ErrorCode; message: string };

function refuse(code: ErrorCode, message: string): ParsedClientMessage {
  return { ok: false, code, message };
}

/**
 * Reads one frame from a client exactly as the protocol page says: the bare
 * string `"heartbeat"` is a heartbeat, `presence:*` messages are checked
 * field by field, any other typed object belongs to the application, and
 * everything else is refused with the `presence:error` code to answer.
 *
 * @example
 * const parsed = parseClientMessage('{"type":"presence:heartbeat"}');
 * if (parsed.ok && parsed.kind === "presence") handle(parsed.message);
 */
export function parseClientMessage(frame: string | ArrayBuffer | ArrayBufferView): ParsedClientMessage {
  if (typeof frame !== "string") {
    if (frame.byteLength > LIMITS.messageBytes) {
      return refuse("message_too_large", `messages may be at most ${LIMITS.messageBytes} bytes`);
    }
    return refuse("invalid_message", "binary frames are not part of the protocol; send JSON text");
  }
  if (exceedsUtf8(frame, LIMITS.messageBytes)) {
    return refuse("message_too_large", `messages may be at most ${LIMITS.messageBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return refuse("invalid_message", "message is not valid JSON");
  }
  if (value === "heartbeat") return { ok: true, kind: "presence", message: { type: "presence:heartbeat" } };
  if (!isJsonObject(value)) {
    return refuse("invalid_message", "message must be a JSON object with a string `type`");
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string" || type.length === 0) {
    return refuse("invalid_message", "message must have a string `type`");
  }
  if (!type.startsWith("presence:")) return { ok: true, kind: "app", message: value as AppMessage };

  const result = v.safeParse(PresenceClientSchema, value);
  if (!result.success) {
    if (!(PRESENCE_TYPES as string[]).includes(type))
      return refuse("invalid_message", `unknown message type ${JSON.stringify(type)}`);
    const issue = result.issues[0];
    const where = issue ? v.getDotPath(issue) : null;
    return refuse("invalid_message", `${type}: ${where ? `\`${where}\` ` : ""}${issue?.message ?? "is malformed"}`);
  }
  const message = result.output as PresenceClientMessage;
  if (message.type === "presence:state" && jsonSize(message.state) > LIMITS.stateBytes) {
    return refuse("state_too_large", `state may be at most ${LIMITS.stateBytes} bytes as JSON`);
  }
  return { ok: true, kind: "presence", message };
}
