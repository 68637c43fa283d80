import type { ChatMessage } from "@/lib/chat-messages";

/** Messages kept on screen; the party keeps the last 200, sends the last 50 on connect and pages back to the rest. */
const MAX_ON_SCREEN = 500;
/** How long a message may go unconfirmed on an open socket before it shows as failed. */
export const SEND_TIMEOUT_MS = 10_000;
/** Consecutive messages of one person this close together share one avatar, name and time. */
export const RUN_WINDOW_MS = 5 * 60_000;
/** Live messages kept in the screen reader's live region: enough for a burst, never the history. */
const ANNOUNCED = 3;

/** A message this visitor sent that the room has not echoed yet. */
export interface PendingMessage {
  clientId: string;
  text: string;
  /** When it was typed (the browser's clock). */
  at: number;
  /** Since when an open socket has had it; `null` while it waits for one (buffered while reconnecting). */
  waitingSince: number | null;
  /** Why it did not get through, or `null` while it is on its way. */
  failure: string | null;
}

/** The chat as the page shows it. */
export interface ChatLog {
  messages: ChatMessage[];
  pending: PendingMessage[];
  /** The history came: from now on an empty list is an empty room, not one still loading. */
  loaded: boolean;
  error: string | null;
  /** The last few messages from others that arrived live (never from the history), for screen readers. */
  announced: ChatMessage[];
  /** The room keeps messages older than the first one shown, to be asked for with `chat:older`. */
  more: boolean;
  /** The message id a `chat:older` is out for, or `null`. */
  olderRequested: string | null;
}

/** What happens to the chat: frames from the room, and what the visitor and the socket do. */
export type ChatEvent =
  | { type: "history"; messages: ChatMessage[]; more?: boolean | undefined; selfId: string | null }
  /** A `chat:older` went out for the messages before `before`, and its `chat:page` came. */
  | { type: "older"; before: string }
  | { type: "page"; before: string; messages: ChatMessage[]; more: boolean }
  | { type: "message"; message: ChatMessage; selfId: string | null }
  | { type: "error"; message: string; clientId?: string | undefined }
  | { type: "send"; clientId: string; text: string; at: number; open: boolean }
  | { type: "retry"; clientId: string; at: number; open: boolean }
  | { type: "discard"; clientId: string }
  /**
   * The socket opened (`open`: the clock starts for what waited), dropped (it stops and they
   * wait for the reconnect), or stays closed (`halted`: they fail, to be retried or discarded).
   */
  | { type: "connection"; open: boolean; halted?: boolean; at: number }
  | { type: "expire"; now: number };

export const EMPTY_CHAT_LOG: ChatLog = {
  messages: [],
  pending: [],
  loaded: false,
  error: null,
  announced: [],
  more: false,
  olderRequested: null,
};

/**
 * The chat's reducer. A history replaces the messages (every reconnect
 * brings it again, so nothing shows twice, and older pages are asked for
 * again); a page of older messages goes in front when it continues the first
 * one shown; a pending message goes when the room's message with its
 * `clientId` arrives, live or in a history.
 *
 * @example
 * const [log, dispatch] = useReducer(chatLog, EMPTY_CHAT_LOG);
 */
export function chatLog(state: ChatLog, event: ChatEvent): ChatLog {
  switch (event.type) {
    case "history": {
      const delivered = ownClientIds(event.messages, event.selfId);
      return {
        ...state,
        messages: event.messages.slice(-MAX_ON_SCREEN),
        pending: state.pending.filter((pending) => !delivered.has(pending.clientId)),
        loaded: true,
        error: null,
        more: event.more ?? false,
        olderRequested: null,
      };
    }
    case "older":
      return { ...state, olderRequested: event.before };
    case "page": {
      const settled = state.olderRequested === event.before ? null : state.olderRequested;
      // a page for a list that a history has replaced since continues nothing shown
      if (state.messages[0]?.id !== event.before) return { ...state, olderRequested: settled };
      const shown = new Set(state.messages.map((each) => each.id));
      const older = event.messages.filter((each) => !shown.has(each.id));
      return {
        ...state,
        messages: [...older, ...state.messages].slice(0, MAX_ON_SCREEN),
        more: event.more,
        olderRequested: settled,
      };
    }
    case "message": {
      const { message, selfId } = event;
      if (state.messages.some((known) => known.id === message.id)) return state;
      const delivered = ownClientIds([message], selfId);
      return {
        ...state,
        messages: [...state.messages, message].slice(-MAX_ON_SCREEN),
        pending:
          delivered.size > 0 ? state.pending.filter((pending) => !delivered.has(pending.clientId)) : state.pending,
        error: null,
        announced: message.user.id === selfId ? state.announced : [...state.announced, message].slice(-ANNOUNCED),
      };
    }
    case "error":
      if (event.clientId !== undefined && state.pending.some((pending) => pending.clientId === event.clientId)) {
        return updatePending(state, event.clientId, { failure: event.message });
      }
      return { ...state, error: event.message, olderRequested: null };
    case "send":
      return {
        ...state,
        pending: [
          ...state.pending,
          {
            clientId: event.clientId,
            text: event.text,
            at: event.at,
            waitingSince: event.open ? event.at : null,
            failure: null,
          },
        ],
      };
    case "retry":
      return updatePending(state, event.clientId, { failure: null, waitingSince: event.open ? event.at : null });
    case "discard":
      return { ...state, pending: state.pending.filter((pending) => pending.clientId !== event.clientId) };
    case "connection":
      if (!state.pending.some((pending) => pending.failure === null)) return state;
      return {
        ...state,
        pending: state.pending.map((pending) => {
          if (pending.failure !== null) return pending;
          if (event.halted) return { ...pending, waitingSince: null, failure: "you are not connected to the room" };
          return { ...pending, waitingSince: event.open ? (pending.waitingSince ?? event.at) : null };
        }),
      };
    case "expire": {
      const expired = (pending: PendingMessage) =>
        pending.failure === null &&
        pending.waitingSince !== null &&
        event.now - pending.waitingSince >= SEND_TIMEOUT_MS;
      if (!state.pending.some(expired)) return state;
      return {
        ...state,
        pending: state.pending.map((pending) =>
          expired(pending) ? { ...pending, failure: "the room did not confirm it in time" } : pending,
        ),
      };
    }
  }
}

/**
 * When the next pending message times out (ms since the epoch), or `null`
 * when none is waiting on an open socket.
 *
 * @example
 * const due = nextTimeout(log);
 * if (due !== null) setTimeout(() => dispatch({ type: "expire", now: Date.now() }), due - Date.now());
 */
export function nextTimeout(state: ChatLog): number | null {
  let due: number | null = null;
  for (const pending of state.pending) {
    if (pending.failure !== null || pending.waitingSince === null) continue;
    const at = pending.waitingSince + SEND_TIMEOUT_MS;
    if (due === null || at < due) due = at;
  }
  return due;
}

/**
 * Whether a message continues the run of the one before it: same person,
 * within `RUN_WINDOW_MS`. A run shows its avatar, name and time once.
 *
 * @example
 * const continued = index > 0 && continuesRun(messages[index - 1], message);
 */
export function continuesRun(
  previous: { userId: string; at: number } | undefined,
  current: { userId: string; at: number },
): boolean {
  if (!previous || previous.userId !== current.userId) return false;
  const gap = current.at - previous.at;
  return gap >= 0 && gap < RUN_WINDOW_MS;
}

function ownClientIds(messages: readonly ChatMessage[], selfId: string | null): Set<string> {
  const ids = new Set<string>();
  if (selfId === null) return ids;
  for (const message of messages) {
    if (message.clientId !== undefined && message.user.id === selfId) ids.add(message.clientId);
  }
  return ids;
}

function updatePending(state: ChatLog, clientId: string, change: Partial<PendingMessage>): ChatLog {
  return {
    ...state,
    pending: state.pending.map((pending) => (pending.clientId === clientId ? { ...pending, ...change } : pending)),
  };
}
