import type { ActionConfirm } from "@/components/admin/action-button";
import { countOf } from "./head-count";

/**
 * A count and its noun, plural when it is not one, written as every page writes counts.
 *
 * @example counted(2000, "connection") // "2,000 connections"
 */
export const counted = (count: number, noun: string): string => countOf(count, noun);

/**
 * What the admin room page asks before it kicks one connection.
 *
 * @example kickConnectionQuestion("lobby", null).question // "Kick this guest from #lobby?"
 */
export function kickConnectionQuestion(room: string, userName: string | null): ActionConfirm {
  return {
    question:
      userName === null ? `Kick this guest from #${room}?` : `Kick this connection of ${userName} from #${room}?`,
    detail: "Its page closes and can reconnect; other connections stay.",
    confirmLabel: "Kick",
  };
}

/**
 * What the admin room page asks before it kicks every connection of a user.
 *
 * @example kickUserQuestion("lobby", "Ann", 2).question // "Kick Ann (2 connections) from #lobby?"
 */
export function kickUserQuestion(room: string, userName: string, connections: number): ActionConfirm {
  return {
    question: `Kick ${userName} (${counted(connections, "connection")}) from #${room}?`,
    detail: "Their pages close and they can reconnect.",
    confirmLabel: "Kick",
  };
}

/**
 * What the admin room page asks before it kicks and bans a user. The demo's
 * users are anonymous, so it says what a ban holds: the browser as well as
 * the user id (the token route refuses a browser any of whose earlier users
 * is banned), not a visitor who clears cookies or comes in another browser.
 *
 * @example banUserQuestion("lobby", "Ann", 1).question // "Ban Ann from #lobby for {choice}?"
 */
export function banUserQuestion(room: string, userName: string, connections: number): ActionConfirm {
  return {
    // {choice}: the ban length picked next to the button when it is pressed
    question: `Ban ${userName} from #${room} for {choice}?`,
    detail:
      `Their ${counted(connections, "connection")} close${connections === 1 ? "s" : ""}, and they cannot come back until the ban ends or is lifted. ` +
      "Names here are anonymous, so the ban also holds their browser: signing out and in again under a new name does not get round it, " +
      "but clearing cookies, another browser or a private window does.",
    confirmLabel: "Kick and ban",
  };
}
