import { type ReactNode, useEffect, useLayoutEffect, useRef } from "react";
import type { ChatMessage } from "@/lib/chat-messages";
import { Avatar } from "./avatar";
import { continuesRun, type PendingMessage } from "./chat-log";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** One row of the list: a message from the room, or one of ours that the room has not echoed yet. */
type Row = { kind: "message"; message: ChatMessage } | { kind: "pending"; pending: PendingMessage };

/**
 * The chat: sender, time and text of each message (text only, never HTML),
 * kept scrolled to the newest. One person's consecutive messages form a run
 * with one avatar, name and time; our own unconfirmed messages follow,
 * marked "sending…" or failed with Retry and Discard. Only messages from
 * others that arrive live are read out, from a separate live region: the
 * list itself is not live, so a reconnect's history is never read aloud.
 * When the room keeps older messages, a button at the top asks for them, and
 * the messages in view stay where they are as the older ones go in above.
 */
export function MessageList({
  messages,
  pending,
  announced,
  self,
  loaded,
  more,
  loadingOlder,
  onLoadOlder,
  connecting,
  empty,
  onRetry,
  onDiscard,
}: {
  messages: readonly ChatMessage[];
  pending: readonly PendingMessage[];
  announced: readonly ChatMessage[];
  self: { id: string; name: string } | null;
  loaded: boolean;
  /** The room keeps older messages than the first one here. */
  more: boolean;
  /** A request for older messages is out. */
  loadingOlder: boolean;
  /** Asks the room for the older messages; `null` while the socket is away. */
  onLoadOlder: (() => void) | null;
  /** The connection is on its way, so the history will come. */
  connecting: boolean;
  /** What an empty room shows instead of a blank list. */
  empty: ReactNode;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}) {
  const list = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  /** The scroll height and position when older messages were asked for, to keep the view still as they go in. */
  const beforeOlder = useRef<{ height: number; top: number } | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when older messages went in above, before the browser paints
  useLayoutEffect(() => {
    const element = list.current;
    const from = beforeOlder.current;
    if (!element || !from || element.scrollHeight === from.height) return;
    element.scrollTop = element.scrollHeight - from.height + from.top;
    beforeOlder.current = null;
  }, [messages]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a message arrives or is sent, to keep the newest in view
  useEffect(() => {
    const element = list.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [messages, pending]);

  const rows: Row[] = [
    ...messages.map((message) => ({ kind: "message", message }) as const),
    ...(self ? pending.map((each) => ({ kind: "pending", pending: each }) as const) : []),
  ];
  const author = (row: Row) =>
    row.kind === "message"
      ? { userId: row.message.user.id, at: row.message.at }
      : { userId: self?.id ?? "", at: row.pending.at };

  return (
    <>
      <ol
        ref={list}
        className="messages"
        aria-label="Messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling list must be reachable by keyboard to be scrolled with it (WCAG 2.1.1), and not every browser makes scrollers focusable itself
        tabIndex={0}
        aria-busy={!loaded}
        data-testid="messages"
        data-loaded={loaded ? "true" : "false"}
        onScroll={(event) => {
          const element = event.currentTarget;
          pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        }}
      >
        {!loaded ? (
          <li className="messages-empty muted" data-testid="messages-loading">
            {connecting ? "Loading messages…" : "Messages show here once you are connected."}
          </li>
        ) : null}
        {loaded && more ? (
          <li className="messages-older">
            <button
              type="button"
              className="link-button"
              disabled={loadingOlder || onLoadOlder === null}
              data-testid="load-older"
              onClick={() => {
                const element = list.current;
                if (element) beforeOlder.current = { height: element.scrollHeight, top: element.scrollTop };
                onLoadOlder?.();
              }}
            >
              {loadingOlder ? "Loading older messages…" : "Show older messages"}
            </button>
          </li>
        ) : null}
        {loaded && rows.length === 0 ? <li className="messages-empty">{empty}</li> : null}
        {rows.map((row, index) => {
          const continued = continuesRun(rows[index - 1] && author(rows[index - 1] as Row), author(row));
          if (row.kind === "pending" && self) {
            return (
              <PendingRow
                key={row.pending.clientId}
                pending={row.pending}
                self={self}
                continued={continued}
                onRetry={onRetry}
                onDiscard={onDiscard}
              />
            );
          }
          if (row.kind !== "message") return null;
          const { message } = row;
          return (
            <MessageRow key={message.id} message={message} own={message.user.id === self?.id} continued={continued} />
          );
        })}
      </ol>
      <div className="visually-hidden" aria-live="polite" data-testid="message-announcer">
        {announced.map((message) => (
          <p key={message.id}>
            {message.user.name}: {message.text}
          </p>
        ))}
      </div>
    </>
  );
}

function rowClass(own: boolean, continued: boolean, extra = ""): string {
  return ["message", own ? "message-own" : "", continued ? "message-continued" : "", extra].filter(Boolean).join(" ");
}

function MessageRow({ message, own, continued }: { message: ChatMessage; own: boolean; continued: boolean }) {
  const at = new Date(message.at);
  return (
    <li
      className={rowClass(own, continued)}
      data-testid="message"
      data-continued={continued ? "true" : undefined}
      title={continued ? at.toLocaleString() : undefined}
    >
      {continued ? (
        <span className="message-gutter" aria-hidden="true" />
      ) : (
        <Avatar id={message.user.id} name={message.user.name} size="sm" />
      )}
      <div className="message-body">
        {continued ? null : (
          <p className="message-meta">
            <span className="message-author">{message.user.name}</span>
            <time dateTime={at.toISOString()} title={at.toLocaleString()}>
              {timeFormat.format(at)}
            </time>
          </p>
        )}
        <p className="message-text">{message.text}</p>
      </div>
    </li>
  );
}

function PendingRow({
  pending,
  self,
  continued,
  onRetry,
  onDiscard,
}: {
  pending: PendingMessage;
  self: { id: string; name: string };
  continued: boolean;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}) {
  const failed = pending.failure !== null;
  return (
    <li
      className={rowClass(true, continued, failed ? "message-failed" : "message-pending")}
      data-testid="pending-message"
      data-state={failed ? "failed" : "sending"}
    >
      {continued ? (
        <span className="message-gutter" aria-hidden="true" />
      ) : (
        <Avatar id={self.id} name={self.name} size="sm" />
      )}
      <div className="message-body">
        {continued ? null : (
          <p className="message-meta">
            <span className="message-author">{self.name}</span>
          </p>
        )}
        <p className="message-text">{pending.text}</p>
        {failed ? (
          <p className="message-status message-status-failed" role="alert">
            <span>Not sent: {pending.failure}.</span>{" "}
            <button type="button" className="link-button" onClick={() => onRetry(pending.clientId)}>
              Retry
            </button>{" "}
            <button type="button" className="link-button" onClick={() => onDiscard(pending.clientId)}>
              Discard
            </button>
          </p>
        ) : (
          <p className="message-status" data-testid="sending-mark">
            sending…
          </p>
        )}
      </div>
    </li>
  );
}
