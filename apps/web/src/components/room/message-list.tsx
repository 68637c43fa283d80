import { useEffect, useRef } from "react";
import type { ChatMessage } from "../../lib/chat-messages";
import { Avatar } from "./avatar";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** The chat: sender, time and text of each message (text only, never HTML), kept scrolled to the newest. */
export function MessageList({
  messages,
  selfId,
  loaded,
}: {
  messages: ChatMessage[];
  selfId: string | null;
  loaded: boolean;
}) {
  const list = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a message arrives, to keep the newest in view
  useEffect(() => {
    const element = list.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [messages]);

  return (
    <ol
      ref={list}
      className="messages"
      aria-label="Messages"
      aria-live="polite"
      onScroll={(event) => {
        const element = event.currentTarget;
        pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
      }}
    >
      {loaded && messages.length === 0 ? <li className="messages-empty muted">No messages yet. Say hello.</li> : null}
      {messages.map((message) => (
        <li
          key={message.id}
          className={message.user.id === selfId ? "message message-own" : "message"}
          data-testid="message"
        >
          <Avatar id={message.user.id} name={message.user.name} size="sm" />
          <div className="message-body">
            <p className="message-meta">
              <span className="message-author">{message.user.name}</span>
              <time dateTime={new Date(message.at).toISOString()} title={new Date(message.at).toLocaleString()}>
                {timeFormat.format(message.at)}
              </time>
            </p>
            <p className="message-text">{message.text}</p>
          </div>
        </li>
      ))}
    </ol>
  );
}
