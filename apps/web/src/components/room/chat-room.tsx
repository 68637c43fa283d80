"use client";

import type { AppMessage } from "@herenow/core";
import { type TokenGetter, usePresence } from "@herenow/react";
import { useCallback, useEffect, useReducer, useState } from "react";
import { type ChatMessage, parseChatMessage } from "../../lib/chat-messages";
import { fetchPresenceToken, TokenRefusedError } from "../../lib/presence-token-client";
import type { SessionUser } from "../../server/session";
import { SignInForm } from "../sign-in-form";
import { Composer } from "./composer";
import { ConnectionStatus } from "./connection-status";
import { CrowdPanel } from "./crowd-panel";
import { MessageList } from "./message-list";
import { OnlinePanel } from "./online-panel";
import type { ChatPresenceState } from "./types";
import { TypingIndicator } from "./typing-indicator";

/** Marked idle after this long without pointer or key input. */
const IDLE_AFTER_MS = 60_000;
/** Messages kept on screen; the party keeps the last 200 as history. */
const MAX_ON_SCREEN = 500;

interface ChatLog {
  messages: ChatMessage[];
  loaded: boolean;
  error: string | null;
}

type ChatEvent =
  | { type: "history"; messages: ChatMessage[] }
  | { type: "message"; message: ChatMessage }
  | { type: "error"; message: string };

function chatLog(state: ChatLog, event: ChatEvent): ChatLog {
  switch (event.type) {
    // every (re)connect brings the history again: it replaces, so nothing shows twice
    case "history":
      return { messages: event.messages.slice(-MAX_ON_SCREEN), loaded: true, error: null };
    case "message":
      if (state.messages.some((message) => message.id === event.message.id)) return state;
      return { ...state, messages: [...state.messages, event.message].slice(-MAX_ON_SCREEN), error: null };
    case "error":
      return { ...state, error: event.message };
  }
}

/** A chat room: messages, composer, who is online and the connection's state. */
export function ChatRoom({
  room,
  user,
  signInError,
}: {
  room: string;
  user: SessionUser | null;
  signInError?: string | undefined;
}) {
  const [log, dispatch] = useReducer(chatLog, { messages: [], loaded: false, error: null });

  const onMessage = useCallback((raw: AppMessage) => {
    const message = parseChatMessage(raw);
    if (message?.type === "chat:history") dispatch({ type: "history", messages: message.messages });
    if (message?.type === "chat:message") {
      const { type: _, ...entry } = message;
      dispatch({ type: "message", message: entry });
    }
    if (message?.type === "chat:error") dispatch({ type: "error", message: message.message });
  }, []);

  // The room's own token getter: a refusal (a ban) stops the socket and says
  // why, where the provider's would have it retry for as long as the page is open.
  const [refusal, setRefusal] = useState<TokenRefusedError | null>(null);
  const getToken = useCallback<TokenGetter>(async ({ room: tokenRoom }) => {
    try {
      return await fetchPresenceToken(tokenRoom);
    } catch (error) {
      if (error instanceof TokenRefusedError) setRefusal(error);
      throw error;
    }
  }, []);

  const presence = usePresence<ChatPresenceState>({ room, idleAfterMs: IDLE_AFTER_MS, onMessage, getToken });
  const { users, others, anonymous, self, status, error, setState, send, close, reconnect } = presence;
  const { count, windowed, listed, hasMore, follow, loadMore } = presence;
  useEffect(() => {
    if (refusal) close();
  }, [refusal, close]);
  const tryAgain = () => {
    setRefusal(null);
    reconnect();
  };
  const selfId = self?.user?.id ?? null;
  const typingNames = others.filter((other) => other.state.typing === true).map((other) => other.name);
  const kicked = status === "closed" && error?.code === "kicked";
  const canSend = status === "open" || status === "reconnecting";

  return (
    <div className="room">
      <header className="room-header">
        <h1>#{room}</h1>
        <ConnectionStatus status={status} error={error} />
      </header>
      {kicked ? (
        <div className="banner banner-bad" role="alert" data-testid="kicked">
          <p>An administrator removed you from this room.</p>
          <button type="button" onClick={reconnect}>
            Rejoin
          </button>
        </div>
      ) : null}
      {refusal ? (
        <div className="banner banner-bad" role="alert" data-testid="banned">
          <p>
            {refusal.until === null
              ? `You cannot join this room: ${refusal.message}.`
              : `You are banned from this room until ${new Date(refusal.until).toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}.`}
          </p>
          <button type="button" onClick={tryAgain}>
            Try again
          </button>
        </div>
      ) : null}
      {status === "closed" && !kicked && !refusal ? (
        <div className="banner" role="alert">
          <p>You are disconnected from this room.</p>
          <button type="button" onClick={reconnect}>
            Reconnect
          </button>
        </div>
      ) : null}
      <div className="room-body">
        <aside className="room-side">
          {windowed ? (
            <CrowdPanel
              room={room}
              count={count}
              anonymous={anonymous}
              users={users}
              selfId={selfId}
              listed={listed}
              hasMore={hasMore}
              follow={follow}
              loadMore={loadMore}
            />
          ) : (
            <OnlinePanel
              users={users}
              anonymous={anonymous}
              selfId={selfId}
              selfIsGuest={self !== null && self.user === null}
              live={status === "open"}
            />
          )}
        </aside>
        <section className="chat" aria-label="Chat">
          <MessageList messages={log.messages} selfId={selfId ?? user?.id ?? null} loaded={log.loaded} />
          <TypingIndicator names={typingNames} />
          {log.error ? (
            <p className="form-error" role="alert">
              {log.error}
            </p>
          ) : null}
          {user ? (
            <Composer
              disabled={!canSend}
              onSend={(text) => send({ type: "chat:send", text })}
              onTyping={(typing) => setState({ typing })}
            />
          ) : (
            <div className="composer-guest" data-testid="guest-composer">
              <p>
                <strong>Sign in to chat.</strong> <span className="muted">Guests can read along.</span>
              </p>
              <SignInForm returnTo={`/rooms/${room}`} error={signInError} label="Sign in to chat" compact />
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
