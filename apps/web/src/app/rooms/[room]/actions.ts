"use server";

import { isValidRoomName } from "@herenow/core";
import { currentUser } from "@/server/page-session";
import { putRoomMember } from "@/server/party-api";

/** How long the demo's assistant stays after a click (issue 29: a member without a socket leaves when its TTL ends). */
const ASSISTANT_TTL_SECONDS = 60;

/** What the assistant button hears back. */
export interface AssistantResult {
  ok: boolean;
  message: string;
}

/**
 * Brings the demo's assistant into a room for a minute, or keeps it there a
 * minute more: a member without a socket that the room shows like a person,
 * with `kind: "agent"`, put with the shared secret through the room's HTTP
 * API. Signed-in visitors only.
 */
export async function inviteAssistantAction(room: string): Promise<AssistantResult> {
  const user = await currentUser();
  if (!user) return { ok: false, message: "Sign in to invite the assistant." };
  if (!isValidRoomName(room)) return { ok: false, message: "No such room." };
  try {
    await putRoomMember(room, "assistant", {
      name: "Assistant",
      info: { invitedBy: user.name },
      ttlSeconds: ASSISTANT_TTL_SECONDS,
    });
    return { ok: true, message: `The assistant is here for ${ASSISTANT_TTL_SECONDS} s.` };
  } catch (error) {
    console.error("herenow demo: the assistant could not join", error);
    return { ok: false, message: "The assistant could not join; try again in a moment." };
  }
}
