"use client";

import { useEffect, useState } from "react";

/**
 * The time now, renewed every `everyMs` while the component is mounted: for
 * "away 4 min" and "left 3 min ago", which must move on with the clock.
 *
 * @example const now = useNow(15_000);
 */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
