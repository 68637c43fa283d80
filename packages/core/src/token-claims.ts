import * as v from "valibot";
import { normalizeDisplayName } from "./display-name";
import { jsonObjectSchema } from "./json-object";
import { jsonSize } from "./json-size";
import type { UserIdentity } from "./protocol";
import { LIMITS } from "./protocol";
import { isValidRoomName } from "./room-name";

/** A user id (a token's `sub`, an agent member's id): 1 to 128 characters; `field` names it in the message. */
export function userIdSchema(field: string) {
  return v.pipe(
    v.string(`\`${field}\` must be a string`),
    v.minLength(1, `\`${field}\` is empty`),
    v.maxLength(128, `\`${field}\` is longer than 128 characters`),
  );
}

/** A display name as a room will show it: the display-name rule before the length, so what a room shows must fit, not what was sent. */
export const displayNameSchema = v.pipe(
  v.string("`name` must be a string"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const checked = normalizeDisplayName(dataset.value);
    if (checked.ok) return checked.name;
    addIssue({ message: `\`name\`: ${checked.reason}` });
    return NEVER;
  }),
  v.maxLength(64, "`name` is longer than 64 characters"),
);

const ClaimsSchema = v.object({
  sub: userIdSchema("sub"),
  name: displayNameSchema,
  info: v.optional(jsonObjectSchema("`info` must be a JSON object")),
  exp: v.number("`exp` is required"),
  rooms: v.optional(v.array(v.string("`rooms` must hold room names"), "`rooms` must be an array")),
});

/** The claims of a herenow token, after their shape has been checked. */
export type TokenClaims = v.InferOutput<typeof ClaimsSchema>;

/**
 * Checks a verified token's claims against the protocol and the room it is
 * used for; the signature and `exp` in the past are the verifier's business
 * (jose), the shape, sizes, lifetime and room list are checked here.
 *
 * @example
 * const checked = identityFromClaims(payload, "lobby", Date.now());
 * if (!checked.ok) return new Response(checked.reason, { status: 401 });
 */
export function identityFromClaims(
  claims: unknown,
  room: string,
  nowMs: number,
): { ok: true; identity: UserIdentity; claims: TokenClaims } | { ok: false; reason: string } {
  const checked = checkTokenClaims(claims, nowMs);
  if (!checked.ok) return checked;
  const { rooms } = checked.claims;
  if (rooms !== undefined && !rooms.includes(room)) return { ok: false, reason: `token is not good for room ${room}` };
  return checked;
}

/**
 * The room-independent half of {@link identityFromClaims}: shape, sizes,
 * lifetime, the room names a token lists, and the display-name rule
 * (`normalizeDisplayName`: a `name` with a direction override or nothing
 * visible is refused, invisible characters are stripped from the name the
 * room shows). The verifier and the minter (`createPresenceToken`) share it,
 * so no token is minted that a room would refuse.
 *
 * @example
 * const checked = checkTokenClaims({ sub: "u1", name: "Ann", exp }, Date.now());
 */
export function checkTokenClaims(
  claims: unknown,
  nowMs: number,
): { ok: true; identity: UserIdentity; claims: TokenClaims } | { ok: false; reason: string } {
  const result = v.safeParse(ClaimsSchema, claims);
  if (!result.success) return { ok: false, reason: `token claims: ${result.issues[0]?.message ?? "malformed"}` };
  const checked = result.output;
  if (checked.exp * 1000 > nowMs + LIMITS.maxTokenLifetimeSeconds * 1000 + 60_000) {
    return { ok: false, reason: "token lives longer than 24 hours" };
  }
  if (checked.exp * 1000 <= nowMs) return { ok: false, reason: "token has expired" };
  const info = checked.info ?? {};
  if (jsonSize(info) > LIMITS.infoBytes)
    return { ok: false, reason: `\`info\` is larger than ${LIMITS.infoBytes} bytes` };
  if (checked.rooms !== undefined && !checked.rooms.every(isValidRoomName)) {
    return { ok: false, reason: "`rooms` holds an invalid room name" };
  }
  return { ok: true, identity: { id: checked.sub, name: checked.name, info }, claims: checked };
}
