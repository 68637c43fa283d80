"use server";

import { isValidRoomName } from "@herenow/core";
import { refresh } from "next/cache";
import * as v from "valibot";
import { env } from "@/env";
import { banDurationLabel } from "@/lib/ban-durations";
import { database } from "@/server/db";
import { requireAdmin } from "@/server/page-session";
import { kickFromRoom, MAX_BAN_SECONDS, unbanFromRoom } from "@/server/party-api";

/** What an admin action reports back to its button. */
export interface ActionResult {
  ok: boolean;
  message: string;
}

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(200));
const Room = v.custom<string>(isValidRoomName);
const BanSeconds = v.pipe(
  v.string(),
  v.regex(/^\d{1,9}$/),
  v.transform(Number),
  v.minValue(1),
  v.maxValue(MAX_BAN_SECONDS),
);
const KickForm = v.union([
  v.object({ room: Room, userId: Id, banSeconds: v.optional(BanSeconds) }),
  v.object({ room: Room, connectionId: Id }),
]);
const UnbanForm = v.object({ room: Room, userId: Id });
const PruneForm = v.object({ what: v.picklist(["presences", "rooms"]) });

function fields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of form)
    if (typeof value === "string" && value !== "" && !name.startsWith("$")) out[name] = value;
  return out;
}

/**
 * Removes a user (all their connections) or one connection from a room,
 * through the party's HTTP API; with `banSeconds` the room also refuses the
 * user until then.
 */
export async function kickAction(_previous: ActionResult | null, form: FormData): Promise<ActionResult> {
  await requireAdmin();
  const parsed = v.safeParse(KickForm, fields(form));
  if (!parsed.success) {
    return { ok: false, message: "the form needs a room and a user or connection id (and a ban of 1 s to a year)" };
  }
  const { room } = parsed.output;
  const banSeconds = "userId" in parsed.output ? parsed.output.banSeconds : undefined;
  const target =
    "userId" in parsed.output ? { userId: parsed.output.userId } : { connectionId: parsed.output.connectionId };
  try {
    const closed = await kickFromRoom(room, target, banSeconds === undefined ? {} : { banSeconds });
    refresh();
    const removed =
      closed === 0 ? "Nobody to remove: already gone" : `Removed ${closed} connection${closed === 1 ? "" : "s"}`;
    return {
      ok: true,
      message: banSeconds === undefined ? removed : `${removed}; banned for ${banDurationLabel(banSeconds)}`,
    };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Lifts a user's ban from a room, through the party's HTTP API. */
export async function unbanAction(_previous: ActionResult | null, form: FormData): Promise<ActionResult> {
  await requireAdmin();
  const parsed = v.safeParse(UnbanForm, fields(form));
  if (!parsed.success) return { ok: false, message: "the form needs a room and a user id" };
  try {
    const lifted = await unbanFromRoom(parsed.output.room, parsed.output.userId);
    refresh();
    return { ok: true, message: lifted ? "Ban lifted" : "No ban to lift: it had already ended" };
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
