import "server-only";
import type { HistoryRange } from "@herenow/db";
import { type HistoryJson, historyJson } from "@/lib/presence-history";
import { database } from "./db";

/**
 * Online over time and presence quality over a range, for the site (`room`
 * null) or one room, as the admin's charts draw it.
 *
 * @example
 * const json = await adminHistory("hour", "stage");
 */
export async function adminHistory(range: HistoryRange, room: string | null): Promise<HistoryJson> {
  const { store } = database();
  const at = Date.now();
  const [online, quality] = await Promise.all([
    store.onlineHistory({ range, room }),
    store.presenceQuality({ range, room }),
  ]);
  return historyJson(online, quality, at);
}
