import { useEffect, useRef, useState } from "react";
import { countOf, formatCount } from "@/lib/head-count";

/** How long "Link copied" stays before the button says "Copy link" again. */
const COPIED_FOR_MS = 4_000;

/** Names listed before the rest are counted. */
const NAMED = 3;

/**
 * Who else is here, in words, for a room without messages: the first few
 * `names` of the `others` signed-in people here besides you (in a large room
 * the hook lists a window of them, and `others` is the room's exact count),
 * then the guests.
 *
 * @example
 * whoIsHere(["Ann"], 1, 2, true) // "Ann and 2 guests are here with you."
 * whoIsHere(["Ann", "Bo", "Cy", "Di"], 2000, 0, true) // "Ann, Bo, Cy and 1,997 more are here with you."
 */
export function whoIsHere(names: readonly string[], others: number, guests: number, selfHere: boolean): string {
  const named = names.slice(0, Math.min(NAMED, others));
  const parts = [...named];
  const unnamed = others - named.length;
  if (unnamed > 0)
    parts.push(named.length > 0 ? `${formatCount(unnamed)} more` : countOf(unnamed, "other person", "other people"));
  if (guests > 0) parts.push(countOf(guests, "guest"));
  if (parts.length === 0) return selfHere ? "Only you are here right now." : "Nobody is here right now.";
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
  const single = parts.length === 1 && others + guests === 1;
  return `${list} ${single ? "is" : "are"} here${selfHere ? " with you" : ""}.`;
}

/**
 * What an empty room shows instead of a blank box: who is here, and how
 * to bring someone in, with the room's link to copy. The clipboard API
 * needs a secure page and permission; where it fails the link is selected
 * in its field, so Ctrl+C (⌘C) copies it.
 */
export function EmptyRoom({ room, here, canWrite }: { room: string; here: string; canWrite: boolean }) {
  const [url, setUrl] = useState(`/rooms/${room}`);
  const [copied, setCopied] = useState<"copied" | "select" | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const reset = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // the origin is the browser's to know: the server renders the path alone
  useEffect(() => setUrl(`${window.location.origin}/rooms/${room}`), [room]);
  useEffect(() => () => clearTimeout(reset.current), []);

  const copy = async () => {
    clearTimeout(reset.current);
    try {
      if (!navigator.clipboard) throw new Error("no clipboard here");
      await navigator.clipboard.writeText(url);
      setCopied("copied");
      reset.current = setTimeout(() => setCopied(null), COPIED_FOR_MS);
    } catch {
      field.current?.focus();
      field.current?.select();
      setCopied("select");
    }
  };

  return (
    <div className="empty-room" data-testid="empty-room">
      <p className="empty-room-title">No messages yet.</p>
      <p className="muted" data-testid="who-is-here">
        {here}
      </p>
      <p className="muted">
        {canWrite ? "Say hello below, or invite someone" : "Invite someone"} with this room's link:
      </p>
      <div className="empty-room-link">
        <label htmlFor="room-link" className="visually-hidden">
          Link to this room
        </label>
        <input id="room-link" ref={field} value={url} readOnly onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={copy} data-testid="copy-link">
          {copied === "copied" ? "Copied" : "Copy link"}
        </button>
      </div>
      <p className="small muted empty-room-copied" role="status" data-testid="copy-confirmation">
        {copied === "copied" ? "Link copied: paste it to whoever you want to invite." : null}
        {copied === "select" ? "Press Ctrl+C (⌘C on a Mac) to copy the selected link." : null}
      </p>
    </div>
  );
}
