import * as v from "valibot";

// The demo chat's messages on the wire, in one module: the room (chat.ts)
// checks what it receives and builds what it sends from these, and the web
// app checks what it receives with the same schemas (it imports this file
// as `@herenow/party/chat-protocol`). Presence messages are core's; these
// are the application messages the presence protocol hands to the room.

/** How many messages a room keeps. */
export const HISTORY_LENGTH = 200;
/** How many of them a new connection gets in `chat:history`, and a `chat:older` in each `chat:page`. */
export const HISTORY_PAGE = 50;
/** The longest message text, in characters, after trimming. */
export const MAX_TEXT_LENGTH = 2000;
/** The longest `clientId` a `chat:send` may carry (a UUID is 36 characters). */
export const MAX_CLIENT_ID_LENGTH = 64;

/** What a `chat:send`'s `clientId` must be: the sender's own name for its pending copy. */
export const ClientIdSchema = v.pipe(
  v.string("`clientId` must be a string"),
  v.minLength(1, "`clientId` is empty"),
  v.maxLength(MAX_CLIENT_ID_LENGTH, `\`clientId\` is longer than ${MAX_CLIENT_ID_LENGTH} characters`),
);

/** Client to room: `{ type: "chat:send", text, clientId? }`. */
export const ChatSendSchema = v.object({
  type: v.literal("chat:send"),
  text: v.pipe(
    v.string("`text` must be a string"),
    v.trim(),
    v.minLength(1, "`text` is empty"),
    v.maxLength(MAX_TEXT_LENGTH, `\`text\` is longer than ${MAX_TEXT_LENGTH} characters`),
  ),
  clientId: v.optional(ClientIdSchema),
});

/**
 * One chat message as clients receive it. `clientId` is the id the sender's
 * client chose for it in `chat:send`, when it chose one: the sender tells
 * its own pending copy by it, also when the message comes back in the
 * history after a reconnect instead of live.
 */
export const ChatMessageSchema = v.object({
  id: v.string(),
  user: v.object({ id: v.string(), name: v.string() }),
  text: v.string(),
  at: v.number(),
  clientId: v.optional(v.string()),
});

export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>;

/**
 * Client to room: `{ type: "chat:older", before }`, the page of up to
 * `HISTORY_PAGE` kept messages just older than the message `before` names
 * (its `id`), answered to that connection alone with `chat:page`.
 */
export const ChatOlderSchema = v.object({
  type: v.literal("chat:older"),
  before: v.pipe(
    v.string("`before` must be a message id"),
    v.regex(/^[0-9a-z]{1,12}-[1-9][0-9]{0,15}$/, "`before` must be the id of a message, as the room sent it"),
  ),
});

/** Why a room refused a `chat:send`. */
export type ChatErrorCode = "forbidden" | "invalid_message" | "rate_limited";

/**
 * Room to client: the last messages on connect (`more`: older ones are kept,
 * to be asked for with `chat:older`), a page of older ones, each accepted
 * message, and refusals.
 */
export const ServerChatMessageSchema = v.variant("type", [
  v.object({
    type: v.literal("chat:history"),
    messages: v.array(ChatMessageSchema),
    more: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal("chat:page"),
    before: v.string(),
    messages: v.array(ChatMessageSchema),
    more: v.boolean(),
  }),
  v.object({ type: v.literal("chat:message"), ...ChatMessageSchema.entries }),
  v.object({
    type: v.literal("chat:error"),
    code: v.picklist(["forbidden", "invalid_message", "rate_limited"] satisfies ChatErrorCode[]),
    message: v.string(),
    clientId: v.optional(v.string()),
  }),
]);

/** A `chat:*` message from the room, after its shape was checked. */
export type ServerChatMessage = v.InferOutput<typeof ServerChatMessageSchema>;

/**
 * Checks an application message from the room; `null` for anything that
 * is not a well-formed `chat:*` message (ignored, never rendered).
 *
 * @example
 * const message = parseChatMessage(raw);
 * if (message?.type === "chat:message") append(message);
 */
export function parseChatMessage(message: unknown): ServerChatMessage | null {
  const parsed = v.safeParse(ServerChatMessageSchema, message);
  return parsed.success ? parsed.output : null;
}

/** The frame of a `chat:error`, naming the `clientId` of the send it answers when that had a usable one. */
export function chatErrorFrame(code: ChatErrorCode, message: string, clientId?: string): string {
  const error: ServerChatMessage = {
    type: "chat:error",
    code,
    message,
    ...(clientId === undefined ? {} : { clientId }),
  };
  return JSON.stringify(error);
}
