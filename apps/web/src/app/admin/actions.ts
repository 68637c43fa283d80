"use server";

import { isValidRoomName } from "@herenow/core";
import { refresh } from "next/cache";
import * as v from "valibot";
import { env } from "../../env";
import { database } from "../../server/db";
import { requireAdmin } from "../../server/page-session";
import { kickFromRoom } from "../../server/party-api";

/** What an admin action reports back to its button. */
export interface ActionResult {
  ok: boolean;
  message: string;
}

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(200));
const KickForm = v.union([
  v.object({ room: v.custom<string>(isValidRoomName), userId: Id }),
  v.object({ room: v.custom<string>(isValidRoomName), connectionId: Id }),
]);
const PruneForm = v.object({ what: v.picklist(["presences", "rooms"]) });

function fields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of form)
    if (typeof value === "string" && value !== "" && !name.startsWith("$")) out[name] = value;
  return out;
}

/**
 * Removes a user (all their connections) or one connection from a room,
 * through the party's HTTP API.
 */
export async function kickAction(_previous: ActionResult | null, form: FormData): Promise<ActionResult> {
  await requireAdmin();
  const parsed = v.safeParse(KickForm, fields(form));
  if (!parsed.success) return { ok: false, message: "the form needs a room and a user or connection id" };
  const { room, ...target } = parsed.output;
  try {
    const closed = await kickFromRoom(room, target);
    refresh();
    return {
      ok: true,
      message:
        closed === 0 ? "Nobody to remove: already gone" : `Removed ${closed} connection${closed === 1 ? "" : "s"}`,
    };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Prunes stale presences (older than `HERENOW_MAX_AGE_MS`) or empty rooms, through the presence store. */
export async function pruneAction(_previous: ActionResult | null, form: FormData): Promise<ActionResult> {
  await requireAdmin();
  const parsed = v.safeParse(PruneForm, fields(form));
  if (!parsed.success) return { ok: false, message: "choose what to prune" };
  const { store } = database();
  if (parsed.output.what === "presences") {
    const removed = await store.prunePresences({ maxAgeMs: env().maxAgeMs });
    refresh();
    return { ok: true, message: `Pruned ${removed.length} stale presence${removed.length === 1 ? "" : "s"}` };
  }
  const rooms = await store.pruneRooms();
  refresh();
  return {
    ok: true,
    message:
      rooms.length === 0
        ? "No empty rooms"
        : `Pruned ${rooms.length} empty room${rooms.length === 1 ? "" : "s"}: ${rooms.join(", ")}`,
  };
}
