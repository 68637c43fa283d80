import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { MAX_TEXT_LENGTH } from "@/lib/chat-messages";

/** How long after the last keystroke "typing" ends by itself. */
const TYPING_PAUSE_MS = 2_000;

/**
 * The message box. It tells the room "typing" on the first keystroke, and
 * "not typing" after a 2 s pause, when emptied, when a message is sent and
 * when it unmounts: one state change per burst of typing, not per key.
 */
export function Composer({
  disabled,
  onSend,
  onTyping,
}: {
  disabled: boolean;
  onSend: (text: string) => void;
  onTyping: (typing: boolean) => void;
}) {
  const [text, setText] = useState("");
  const typing = useRef(false);
  const pause = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latestOnTyping = useRef(onTyping);
  useEffect(() => {
    latestOnTyping.current = onTyping;
  });

  const stopTyping = () => {
    clearTimeout(pause.current);
    if (!typing.current) return;
    typing.current = false;
    latestOnTyping.current(false);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: only on unmount; stopTyping reads refs
  useEffect(() => stopTyping, []);

  const change = (value: string) => {
    setText(value);
    if (value.trim() === "") {
      stopTyping();
      return;
    }
    if (!typing.current) {
      typing.current = true;
      latestOnTyping.current(true);
    }
    clearTimeout(pause.current);
    pause.current = setTimeout(stopTyping, TYPING_PAUSE_MS);
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || disabled) return;
    onSend(message);
    setText("");
    stopTyping();
  };

  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="composer-text" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-text"
        value={text}
        onChange={(event) => change(event.target.value)}
        onKeyDown={keyDown}
        onBlur={stopTyping}
        maxLength={MAX_TEXT_LENGTH}
        rows={1}
        // short enough for one line on a phone; the keys are told below
        placeholder={disabled ? "Not connected" : "Write a message…"}
        aria-describedby="composer-keys"
        disabled={disabled}
      />
      <button type="submit" disabled={disabled || text.trim() === ""}>
        Send
      </button>
      <p id="composer-keys" className="composer-keys">
        Enter sends, Shift+Enter starts a new line
      </p>
    </form>
  );
}
