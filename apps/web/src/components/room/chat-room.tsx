"use client";

import type { AppMessage, PresenceSnapshot } from "@herenow/core";
import { type TokenGetter, usePresence } from "@herenow/react";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { SignInForm } from "@/components/sign-in-form";
import { newClientId, parseChatMessage } from "@/lib/chat-messages";
import { fetchPresenceToken, PartyProblemError, TokenRefusedError } from "@/lib/presence-token-client";
import type { SessionUser } from "@/server/session";
import { AssistantButton } from "./assistant-button";
import { chatLog, EMPTY_CHAT_LOG, nextTimeout } from "./chat-log";
import { Composer } from "./composer";
import { ConnectionProblemBanner } from "./connection-problem";
import { ConnectionStatus, connectionProblem } from "./connection-status";
import { CrowdPanel } from "./crowd-panel";
import { EmptyRoom, whoIsHere } from "./empty-room";
import { MessageList } from "./message-list";
import { OnlinePanel } from "./online-panel";
import { roomNotice } from "./room-notice";
import type { ChatPresenceState } from "./types";
import { TypingIndicator } from "./typing-indicator";

/** Shown as away after this long without pointer or key input (protocol 1.2's `idle`). */
const IDLE_AFTER_MS = 60_000;
/** How often a connection that does not open asks the token route why. */
const DIAGNOSE_EVERY_MS = 5_000;

/** A chat room: messages, composer, who is online and the connection's state. */
export function ChatRoom({
  room,
  user,
  signInError,
  initialSnapshot,
}: {
  room: string;
  user: SessionUser | null;
  signInError?: string | undefined;
  /** Who was here when the server rendered the page (shown until the socket's first sync). */
  initialSnapshot?: PresenceSnapshot | undefined;
}) {
  const [log, dispatch] = useReducer(chatLog, EMPTY_CHAT_LOG);
  // the session's user: pending messages and their echoes are matched by it before the first sync
  const selfIdRef = useRef(user?.id ?? null);

  const onMessage = useCallback((raw: AppMessage) => {
    const message = parseChatMessage(raw);
    const selfId = selfIdRef.current;
    if (message?.type === "chat:history") {
      dispatch({ type: "history", messages: message.messages, more: message.more, selfId });
    }
    if (message?.type === "chat:page") {
      dispatch({ type: "page", before: message.before, messages: message.messages, more: message.more });
    }
    if (message?.type === "chat:message") {
      const { type: _, ...entry } = message;
      dispatch({ type: "message", message: entry, selfId });
    }
    if (message?.type === "chat:error") {
      dispatch({ type: "error", message: message.message, clientId: message.clientId });
    }
  }, []);

  // The room's own token getter: a refusal (a ban) stops the socket and says
  // why, where the provider's would have it retry for as long as the page is open;
  // what the route last said also tells a broken party or an ended session from a refusal.
  const [refusal, setRefusal] = useState<TokenRefusedError | null>(null);
  const [partyProblem, setPartyProblem] = useState<PartyProblemError | null>(null);
  const [tokenWasNull, setTokenWasNull] = useState(false);
  /** What a failed call of the token route tells the page: a refusal, or a party that cannot take sockets. */
  const noteTokenFailure = useCallback((failure: unknown) => {
    if (failure instanceof TokenRefusedError) setRefusal(failure);
    if (failure instanceof PartyProblemError) setPartyProblem(failure);
  }, []);
  const getToken = useCallback<TokenGetter>(
    async ({ room: tokenRoom }) => {
      try {
        const token = await fetchPresenceToken(tokenRoom);
        setPartyProblem(null);
        setTokenWasNull(token === null);
        return token;
      } catch (error) {
        noteTokenFailure(error);
        throw error;
      }
    },
    [noteTokenFailure],
  );

  const presence = usePresence<ChatPresenceState>({
    room,
    idleAfterMs: IDLE_AFTER_MS,
    onMessage,
    getToken,
    initialSnapshot,
  });
  const { users, others, anonymous, self, status, error, setState, send, close, reconnect } = presence;
  const { count, windowed, listed, hasMore, follow, loadMore } = presence;
  useEffect(() => {
    if (refusal) close();
  }, [refusal, close]);
  const tryAgain = () => {
    setRefusal(null);
    reconnect();
  };
  // The hook reuses a fresh token across reconnects, so a party that went away after the
  // page loaded never reaches the token route by itself: while no socket opens, the page asks
  // the route now and then, whose check of the party tells "down" or "misconfigured" apart.
  const waiting = status === "connecting" || status === "reconnecting";
  useEffect(() => {
    if (status === "open") setPartyProblem(null);
    if (!waiting) return;
    const timer = setInterval(() => {
      fetchPresenceToken(room).then(() => setPartyProblem(null), noteTokenFailure);
    }, DIAGNOSE_EVERY_MS);
    return () => clearInterval(timer);
  }, [status, waiting, room, noteTokenFailure]);
  const selfId = self?.user?.id ?? null;
  useEffect(() => {
    selfIdRef.current = selfId ?? user?.id ?? null;
  }, [selfId, user]);
  const typingNames = others.filter((other) => other.state.typing === true).map((other) => other.name);
  const kicked = status === "closed" && error?.code === "kicked";
  const canSend = status === "open" || status === "reconnecting";
  const problem = refusal
    ? null
    : connectionProblem({ status, error, self, partyProblem, tokenWasNull, signedIn: user !== null });
  // A kick that came with a ban (set before the kick) is told by the token route: ask it once,
  // so a banned user sees the ban at once rather than a "Rejoin" the room would refuse.
  const [kickChecked, setKickChecked] = useState(false);
  useEffect(() => {
    if (!kicked) {
      setKickChecked(false);
      return;
    }
    let current = true;
    fetchPresenceToken(room)
      .catch(noteTokenFailure)
      .finally(() => {
        if (current) setKickChecked(true);
      });
    return () => {
      current = false;
    };
  }, [kicked, room, noteTokenFailure]);
  const { notice, invite } = roomNotice({ status, error, refusal, problem, kickChecked });

  // Pending messages wait while the socket is away, and their clock runs only while it is open.
  const halted = status === "closed" || status === "unauthorized";
  useEffect(() => {
    dispatch({ type: "connection", open: status === "open", halted, at: Date.now() });
  }, [status, halted]);
  const due = nextTimeout(log);
  useEffect(() => {
    if (due === null) return;
    const timer = setTimeout(() => dispatch({ type: "expire", now: Date.now() }), Math.max(0, due - Date.now()));
    return () => clearTimeout(timer);
  }, [due]);

  // the pending copy first, so the echo always finds it
  const sendText = (text: string) => {
    const clientId = newClientId();
    dispatch({ type: "send", clientId, text, at: Date.now(), open: status === "open" });
    send({ type: "chat:send", text, clientId });
  };
  const retrySend = (clientId: string) => {
    const pending = log.pending.find((each) => each.clientId === clientId);
    if (!pending) return;
    dispatch({ type: "retry", clientId, at: Date.now(), open: status === "open" });
    send({ type: "chat:send", text: pending.text, clientId });
  };
  const first = log.messages[0];
  const loadOlder =
    log.more && first && status === "open"
      ? () => {
          dispatch({ type: "older", before: first.id });
          send({ type: "chat:older", before: first.id });
        }
      : null;
  const selfUser = user ? { id: selfId ?? user.id, name: self?.user?.name ?? user.name } : null;
  const othersHere = users.filter((member) => member.id !== selfUser?.id).map((member) => member.name);
  // a large room lists a window of its users: the rest are counted, not listed
  const othersCount = Math.max(othersHere.length, count - (users.length - othersHere.length));
  const guestsHere = Math.max(0, anonymous - (self !== null && self.user === null ? 1 : 0));

  return (
    <div className="room">
      <header className="room-header">
        <h1>#{room}</h1>
        <ConnectionStatus status={status} error={error} problem={problem} />
      </header>
      {notice === "kicked" ? (
        <div className="banner banner-bad" role="alert" data-testid="kicked">
          <p>An administrator removed you from this room.</p>
          <button type="button" onClick={reconnect}>
            Rejoin
          </button>
        </div>
      ) : null}
      {notice === "banned" && refusal ? (
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
      {notice === "problem" && problem ? (
        <ConnectionProblemBanner
          problem={problem}
          room={room}
          onRetry={() => {
            setPartyProblem(null);
            reconnect();
          }}
        />
      ) : null}
      {notice === "disconnected" ? (
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
              recent={presence.recent}
              selfId={selfId}
              selfIsGuest={self !== null && self.user === null}
              live={status === "open"}
            />
          )}
          {user ? <AssistantButton room={room} /> : null}
        </aside>
        <section className="chat" aria-label="Chat">
          <MessageList
            messages={log.messages}
            pending={log.pending}
            announced={log.announced}
            self={selfUser}
            loaded={log.loaded}
            more={log.more}
            loadingOlder={log.olderRequested !== null}
            onLoadOlder={loadOlder}
            connecting={waiting && problem === null}
            empty={
              invite ? (
                <EmptyRoom
                  room={room}
                  here={whoIsHere(othersHere, othersCount, guestsHere, self !== null || user !== null)}
                  canWrite={user !== null}
                />
              ) : (
                <div className="empty-room" data-testid="empty-room-away">
                  <p className="empty-room-title">No messages yet.</p>
                </div>
              )
            }
            onRetry={retrySend}
            onDiscard={(clientId) => dispatch({ type: "discard", clientId })}
          />
          <TypingIndicator names={typingNames} />
          {log.error ? (
            <p className="form-error" role="alert">
              {log.error}
            </p>
          ) : null}
          {user ? (
            <Composer disabled={!canSend} onSend={sendText} onTyping={(typing) => setState({ typing })} />
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
