"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { ago } from "@/lib/relative-time";

/** Refreshes missed before the label says the page has stopped updating. */
const MISSED_REFRESHES = 3;

/**
 * Re-renders the server page every few seconds while the tab is visible, so
 * admin tables stay current, and says when the tables were last brought up
 * to date: "Updated just now", "Updated 4 s ago", and, once refreshes stop
 * coming back (the server is down, the network is gone), that it is stale.
 *
 * @example
 * <AutoRefresh renderedAt={Date.now()} /> // in a server component
 */
export function AutoRefresh({ renderedAt, everyMs = 3_000 }: { renderedAt: number; everyMs?: number }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const refreshingRef = useRef(refreshing);
  useEffect(() => {
    refreshingRef.current = refreshing;
  }, [refreshing]);

  // When this render reached the browser, by the browser's clock: the server's may be off from it
  // by any amount, and "3 s ago" must not read "2 min ago" on a machine whose clock is wrong.
  const [arrival, setArrival] = useState(() => ({ renderedAt, at: Date.now() }));
  if (arrival.renderedAt !== renderedAt) setArrival({ renderedAt, at: Date.now() });
  const [now, setNow] = useState(arrival.at);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(tick);
  }, []);

  useEffect(() => {
    const refresh = () => {
      // one at a time: a refresh stuck on a dead network must not pile up behind it
      if (document.visibilityState === "visible" && !refreshingRef.current) startRefresh(() => router.refresh());
    };
    const timer = setInterval(refresh, everyMs);
    // back to a tab left in the background: bring it up to date now, not in a few seconds
    document.addEventListener("visibilitychange", refresh);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", refresh);
    };
  }, [router, everyMs]);

  const shown = Math.max(now, arrival.at);
  const stale = shown - arrival.at > everyMs * MISSED_REFRESHES + 1_000;
  return (
    <p className={stale ? "admin-updated admin-updated-stale" : "admin-updated"} data-testid="admin-updated">
      Updated {ago(new Date(arrival.at), shown)}
      {stale ? <span role="status"> · not updating: the server has not answered since; still trying</span> : null}
    </p>
  );
}
