const ROOM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const ROOM_NAME_CHARACTERS = /^[A-Za-z0-9_.-]*$/;
/** `.` and `..` mean "this folder" and "the one above" in every URL and path: never a room. */
const DOTS_ONLY = /^\.+$/;

/**
 * Whether a room name is allowed: 1 to 64 characters from `A-Z a-z 0-9 _ - .`, not dots alone.
 * The party, the web app and the hook all check names with this one rule.
 *
 * @example isValidRoomName("lobby") // true
 */
export function isValidRoomName(name: unknown): name is string {
  return typeof name === "string" && ROOM_NAME.test(name) && !DOTS_ONLY.test(name);
}

/**
 * Why a room name is refused, in words fit for an HTTP 400 body, or `null`
 * when it is fine.
 *
 * @example roomNameProblem("a b") // "room name may only contain ..."
 */
export function roomNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name.length === 0) return "room name is missing";
  if (name.length > 64) return `room name is ${name.length} characters long; at most 64 are allowed`;
  if (!ROOM_NAME.test(name)) return "room name may only contain the characters A-Z a-z 0-9 _ - .";
  if (DOTS_ONLY.test(name)) return "room name may not be made of dots alone";
  return null;
}

/**
 * Whether `text` could be part of a room name: only characters a room name
 * may hold (and the empty string). A search for anything else can match no
 * room, so it need not reach a database at all, where some of it is an
 * error (PostgreSQL text cannot hold a NUL).
 *
 * @example isRoomNameFragment("lob") // true; isRoomNameFragment("a\u0000") // false
 */
export function isRoomNameFragment(text: string): boolean {
  return ROOM_NAME_CHARACTERS.test(text);
}
