import * as v from "valibot";

/** The longest chat message the party accepts. */
export const MAX_MESSAGE_LENGTH = 2000;

const ChatMessageSchema = v.object({
  id: v.string(),
  user: v.object({ id: v.string(), name: v.string() }),
  text: v.string(),
  at: v.number(),
  /** The id the sender's client gave it in `chat:send`, when it gave one. */
  clientId: v.optional(v.string()),
});

/** One chat message as the party sends it. */
export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>;

const ServerChatMessage = v.variant("type", [
  v.object({ type: v.literal("chat:history"), messages: v.array(ChatMessageSchema) }),
  v.object({ type: v.literal("chat:message"), ...ChatMessageSchema.entries }),
  v.object({
    type: v.literal("chat:error"),
    code: v.string(),
    message: v.string(),
    clientId: v.optional(v.string()),
  }),
]);

/** A `chat:*` message from the party, after its shape was checked. */
export type ServerChatMessage = v.InferOutput<typeof ServerChatMessage>;

/**
 * Checks an application message from the party; `null` for anything that
 * is not a well-formed `chat:*` message (ignored, never rendered).
 *
 * @example
 * const message = parseChatMessage(raw);
 * if (message?.type === "chat:message") append(message);
 */
export function parseChatMessage(message: unknown): ServerChatMessage | null {
  const parsed = v.safeParse(ServerChatMessage, message);
  return parsed.success ? parsed.output : null;
}

/**
 * A fresh id for a `chat:send`, which the room repeats in the message it
 * makes of it (and in a `chat:error` for it). `getRandomValues`, not
 * `randomUUID`: the page may be served over plain http, where only the former exists.
 *
 * @example
 * send({ type: "chat:send", text, clientId: newClientId() });
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `c-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
