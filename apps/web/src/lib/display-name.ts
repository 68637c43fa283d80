import * as v from "valibot";

/** The longest display name the demo accepts (the protocol allows 64; the online panel looks better with less). */
export const MAX_NAME_LENGTH = 40;

/**
 * A display name: trimmed, inner runs of white space made one space,
 * 1 to 40 characters, no control characters. Names are only ever rendered
 * as text, so anything else is allowed (accents, emoji, `<b>`).
 *
 * @example v.parse(DisplayName, "  Ann   Lee ") // "Ann Lee"
 */
export const DisplayName = v.pipe(
  v.string("enter a name"),
  v.transform((name) => name.trim().replace(/\s+/g, " ")),
  v.minLength(1, "enter a name"),
  v.maxLength(MAX_NAME_LENGTH, `a name has at most ${MAX_NAME_LENGTH} characters`),
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  v.regex(/^[^\u0000-\u001f\u007f-\u009f]+$/, "a name cannot contain control characters"),
);
