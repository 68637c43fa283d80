// The demo chat's wire shapes are the party's own module (one definition for the room that
// checks them and the page that reads them); this file adds what only the page needs.
export { type ChatMessage, MAX_TEXT_LENGTH, parseChatMessage } from "@herenow/party/chat-protocol";

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
