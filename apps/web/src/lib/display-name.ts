import { normalizeDisplayName } from "@herenow/core";
import * as v from "valibot";

/** The longest display name the demo accepts (the protocol allows 64; the online panel looks better with less). */
export const MAX_NAME_LENGTH = 40;

/**
 * A display name by core's rule (`normalizeDisplayName`, the one the party
 * applies to tokens, so a name that signs in is a name the room shows):
 * NFC, invisible characters stripped (a zero-width joiner inside an emoji
 * kept), white space made single spaces and trimmed, refused when nothing
 * visible is left or when it holds a direction override that would make it
 * read as another name ("\u202Enimda" is drawn "admin"). Then 1 to 40
 * characters. Names are only ever rendered as text, so anything else is
 * allowed (accents, emoji, `<b>`).
 *
 * @example v.parse(DisplayName, "  Ann \u200B  Lee ") // "Ann Lee"
 */
export const DisplayName = v.pipe(
  v.string("enter a name"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const checked = normalizeDisplayName(dataset.value);
    if (checked.ok) return checked.name;
    addIssue({ message: checked.reason });
    return NEVER;
  }),
  v.maxLength(MAX_NAME_LENGTH, `a name has at most ${MAX_NAME_LENGTH} characters`),
);
