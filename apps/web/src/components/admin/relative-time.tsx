"use client";

import { useSyncExternalStore } from "react";
import { ago, until } from "@/lib/relative-time";

const subscribeToNothing = () => () => {};

/** The browser's own language and time zone: what "local" means to the admin reading the page. */
const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

/** The absolute time before hydration: the server's zone is not the reader's, so it says UTC outright. */
function utcText(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * A time as admin tables show it: "5 min ago" (or "in 59 min" for a time to
 * come), with the full date and time in the reader's zone on hover.
 *
 * @example
 * <RelativeTime date={connection.joinedAt} now={now} />
 * <RelativeTime date={new Date(ban.until)} now={now} direction="until" />
 */
export function RelativeTime({
  date,
  now,
  direction = "ago",
}: {
  date: Date;
  /** The moment the page was rendered, so every time on it counts from the same instant. */
  now: number;
  direction?: "ago" | "until";
}) {
  // false while hydrating (the server's HTML must be matched), true from then on
  const inBrowser = useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
  return (
    <time dateTime={date.toISOString()} title={inBrowser ? localFormat.format(date) : utcText(date)}>
      {direction === "ago" ? ago(date, now) : until(date, now)}
    </time>
  );
}
