import "server-only";
import * as v from "valibot";
import { env } from "@/env";
import type { PartyProblemReason } from "@/lib/presence-token-client";

/** Whom to remove from a room: every connection of a user, or one connection. */
export type KickTarget = { userId: string } | { connectionId: string };

/** A user banned from a room until `until` (ms since the epoch), as the room's `/bans` lists it. */
export interface RoomBan {
  userId: string;
  until: number;
}

/** The longest ban the room's API accepts: a year, in seconds. */
export const MAX_BAN_SECONDS = 31_536_000;

/**
 * A call of the room's API failed for a reason that stops every visitor's socket too;
 * other failures are plain `Error`s. The reasons (`PartyProblemReason`, shared with the page):
 * - `party_unreachable`: the connection failed (down, wrong host, network), or a gateway's 502-504;
 *   a request that only timed out is a plain `Error`, since a slow party may still take sockets;
 * - `secret_mismatch`: the party refused the bearer secret, so it refuses this app's tokens too;
 * - `party_misconfigured`: the party answered 500, which its gate does while a setting such as
 *   `HERENOW_SECRET` is missing or malformed.
 *
 * @example
 * if (error instanceof PartyProblem && error.reason === "secret_mismatch") alertOperator(error.message);
 */
export class PartyProblem extends Error {
  override readonly name = "PartyProblem";
  constructor(
    readonly reason: PartyProblemReason,
    message: string,
  ) {
    super(message);
  }
}

const Kicked = v.object({ closed: v.number() });
const Bans = v.object({ bans: v.array(v.object({ userId: v.string(), until: v.number() })) });
const Unbanned = v.object({ unbanned: v.boolean() });
const PutMember = v.object({ expiresAt: v.number() });

/** A member without a socket as the room's `PUT .../members/<userId>` takes it. */
export interface AgentMember {
  name: string;
  info?: Record<string, string | number | boolean>;
  ttlSeconds: number;
}

/**
 * Adds or refreshes a member without a socket (an assistant) in a room
 * (`PUT /parties/main/<room>/members/<userId>`): shown with `kind: "agent"`
 * until `ttlSeconds` pass without another call. Resolves to when it leaves (ms).
 *
 * @example
 * const expiresAt = await putRoomMember("lobby", "assistant", { name: "Assistant", ttlSeconds: 60 });
 */
export async function putRoomMember(room: string, userId: string, member: AgentMember): Promise<number> {
  const action = `members/${encodeURIComponent(userId)}`;
  const answer = await roomRequest(room, action, "the member", { method: "PUT", body: member });
  return v.parse(PutMember, answer).expiresAt;
}

/**
 * Removes a user or a connection from a room through the room's HTTP API
 * (`POST /parties/main/<room>/kick` with the bearer secret); the party
 * closes those sockets with 4003. With `banSeconds` (a user only) the room
 * also refuses that user until then. Resolves to how many connections went.
 *
 * @example
 * const closed = await kickFromRoom("lobby", { userId: "u_1…" }, { banSeconds: 3600 });
 */
export async function kickFromRoom(
  room: string,
  target: KickTarget,
  options: { banSeconds?: number } = {},
): Promise<number> {
  const body =
    "userId" in target && options.banSeconds !== undefined ? { ...target, banSeconds: options.banSeconds } : target;
  const answer = await roomRequest(room, "kick", "the kick", { method: "POST", body });
  return v.parse(Kicked, answer).closed;
}

/**
 * The bans in force in a room (`GET /parties/main/<room>/bans`).
 *
 * @example
 * const banned = (await roomBans("lobby")).some((ban) => ban.userId === user.id);
 */
export async function roomBans(room: string, options: { timeoutMs?: number } = {}): Promise<RoomBan[]> {
  const answer = await roomRequest(room, "bans", "the list of bans", { method: "GET", ...options });
  return v.parse(Bans, answer).bans;
}

/**
 * Lifts a user's ban from a room (`POST /parties/main/<room>/unban`);
 * `false` when the user was not banned.
 *
 * @example
 * if (!(await unbanFromRoom("lobby", "u_1…"))) console.info("was not banned");
 */
export async function unbanFromRoom(room: string, userId: string): Promise<boolean> {
  const answer = await roomRequest(room, "unban", "the unban", { method: "POST", body: { userId } });
  return v.parse(Unbanned, answer).unbanned;
}

/** One call of the room's HTTP API with the bearer secret; throws an error that says what failed. */
async function roomRequest(
  room: string,
  action: string,
  what: string,
  init: { method: "GET" | "POST" | "PUT"; body?: unknown; timeoutMs?: number },
): Promise<unknown> {
  const settings = env();
  const url = `${settings.partyOrigin}/parties/main/${encodeURIComponent(room)}/${action}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: {
        authorization: `Bearer ${settings.secret}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
      cache: "no-store",
    });
  } catch (error) {
    const message = `the party at ${settings.partyHost} did not answer: ${(error as Error).message}`;
    // a party that is only slow may still take sockets; one that refuses the connection cannot
    if ((error as Error).name === "TimeoutError") throw new Error(message);
    throw new PartyProblem("party_unreachable", message);
  }
  const text = await response.text();
  if (!response.ok) {
    const message = `the party refused ${what} (HTTP ${response.status}): ${text.trim().slice(0, 200)}`;
    throw partyProblemOf(response.status, message) ?? new Error(message);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the party answered ${what} with something other than JSON: ${text.slice(0, 200)}`);
  }
}

/** The `PartyProblem` an HTTP status of the room's API stands for, or `null` when it is this request's own. */
function partyProblemOf(status: number, message: string): PartyProblem | null {
  if (status === 401) {
    return new PartyProblem(
      "secret_mismatch",
      `${message}. HERENOW_SECRET differs between the web app and the party: set the same value in both`,
    );
  }
  if (status === 500) return new PartyProblem("party_misconfigured", message);
  if (status >= 502 && status <= 504) return new PartyProblem("party_unreachable", message);
  return null;
}
