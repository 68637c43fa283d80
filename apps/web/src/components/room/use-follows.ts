"use client";

import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";

/** The server's snapshot, and a missing or damaged entry's: one frozen empty list. */
const NONE: readonly string[] = Object.freeze([]);

/** Where localStorage refuses writes (private mode), follows last as long as the page. */
const memory = new Map<string, string>();
/** The last list parsed per key, so a snapshot is the same array until the entry changes. */
const parsed = new Map<string, { raw: string; ids: readonly string[] }>();
const listeners = new Set<() => void>();

function storageKey(room: string): string {
  return `herenow:follows:${room}`;
}

function readRaw(key: string): string | null {
  try {
    return localStorage.getItem(key) ?? memory.get(key) ?? null;
  } catch {
    return memory.get(key) ?? null;
  }
}

function readFollows(key: string): readonly string[] {
  const raw = readRaw(key);
  if (raw === null) return NONE;
  const cached = parsed.get(key);
  if (cached?.raw === raw) return cached.ids;
  let ids: readonly string[] = NONE;
  try {
    const value = JSON.parse(raw) as unknown;
    // a damaged entry is no follow list
    if (Array.isArray(value)) ids = Object.freeze(value.filter((id): id is string => typeof id === "string"));
  } catch {}
  parsed.set(key, { raw, ids });
  return ids;
}

function writeFollows(key: string, ids: readonly string[]): void {
  const raw = JSON.stringify(ids);
  try {
    localStorage.setItem(key, raw);
    memory.delete(key);
  } catch {
    memory.set(key, raw);
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // another tab of this site changed its follows
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

/**
 * The users this browser follows in a room, kept in localStorage so a reload
 * keeps them, and sent to the room whenever they change. Read through
 * `useSyncExternalStore` rather than copied into state by an effect: an effect
 * that saved the list on mount overwrote the saved one with the empty initial
 * state when StrictMode (`next dev`) ran it twice.
 *
 * @example
 * const [follows, toggle] = useFollows("stage", presence.follow);
 * <button aria-pressed={follows.has(user.id)} onClick={() => toggle(user.id)}>Follow</button>
 */
export function useFollows(
  room: string,
  follow: (ids: readonly string[]) => void,
): [ReadonlySet<string>, (id: string) => void] {
  const key = storageKey(room);
  const ids = useSyncExternalStore(
    subscribe,
    () => readFollows(key),
    () => NONE,
  );
  useEffect(() => follow(ids), [ids, follow]);
  const follows = useMemo(() => new Set(ids), [ids]);
  const toggle = useCallback(
    (id: string) => {
      const current = readFollows(key);
      writeFollows(key, current.includes(id) ? current.filter((each) => each !== id) : [...current, id]);
    },
    [key],
  );
  return [follows, toggle];
}
