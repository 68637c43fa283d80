// What the room page says about its connection: a kick that came with a ban shows the ban, and
// the empty room invites others only while the page is in the room.
import { PresenceError } from "@herenow/react";
import { describe, expect, it } from "vitest";
import { roomNotice } from "@/components/room/room-notice";
import { TokenRefusedError } from "@/lib/presence-token-client";

const kick = new PresenceError("kicked", "removed by an administrator");
const ban = new TokenRefusedError('you are banned from room "lobby"', Date.parse("2026-12-05T21:00:00Z"));
const open = { status: "open" as const, error: null, refusal: null, problem: null, kickChecked: false };
const kicked = { ...open, status: "closed" as const, error: kick };

describe("roomNotice", () => {
  it("shows no banner and invites others while the page is in the room", () => {
    expect(roomNotice(open)).toEqual({ notice: null, invite: true });
  });

  it("waits for the token route after a kick, then shows the ban it found, never 'Removed… Rejoin'", () => {
    expect(roomNotice(kicked)).toEqual({ notice: null, invite: false });
    expect(roomNotice({ ...kicked, refusal: ban })).toEqual({ notice: "banned", invite: false });
    expect(roomNotice({ ...kicked, refusal: ban, kickChecked: true })).toEqual({ notice: "banned", invite: false });
  });

  it("shows the kick once the token route found no ban", () => {
    expect(roomNotice({ ...kicked, kickChecked: true })).toEqual({ notice: "kicked", invite: false });
  });

  it("does not say who is here nor invite others when the page is out of the room", () => {
    const closed = { ...open, status: "closed" as const };
    expect(roomNotice(closed)).toEqual({ notice: "disconnected", invite: false });
    expect(roomNotice({ ...closed, refusal: ban })).toEqual({ notice: "banned", invite: false });
    expect(roomNotice({ ...open, status: "unauthorized" as const, problem: { kind: "session_ended" } })).toEqual({
      notice: "problem",
      invite: false,
    });
    expect(roomNotice({ ...open, status: "reconnecting" as const }).invite).toBe(false);
  });
});
