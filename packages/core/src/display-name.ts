/** A display name as the room will show it, or why it cannot be one. */
export type DisplayNameCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * Embeddings, overrides and isolates: they reorder the characters after them
 * as they are drawn, so "\u202Enimda" is drawn "admin". Refused, not stripped:
 * nobody types one by accident, and a name that silently loses it would no
 * longer be what its owner saw when they pasted it.
 */
const DIRECTION_CONTROLS: Record<string, string> = {
  "\u202A": "a left-to-right embedding",
  "\u202B": "a right-to-left embedding",
  "\u202C": "a pop directional formatting",
  "\u202D": "a left-to-right override",
  "\u202E": "a right-to-left override",
  "\u2066": "a left-to-right isolate",
  "\u2067": "a right-to-left isolate",
  "\u2068": "a first strong isolate",
  "\u2069": "a pop directional isolate",
};
const DIRECTION_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

/** Characters that do visible work in some places and none in others; {@link keepInContext} decides. */
const CONTEXTUAL = "\\u200C\\u200D\\uFE00-\\uFE0F\\u180B-\\u180D\\u180F\\u{E0020}-\\u{E007F}\\u{E0100}-\\u{E01EF}";

/**
 * Never drawn: controls (\p{Cc}: NUL, ESC…), format characters (\p{Cf}: the
 * zero-width space U+200B, the direction marks U+200E, U+200F and U+061C, the
 * word joiner U+2060, the byte order mark U+FEFF…) and the other default-ignorable
 * code points (the Hangul fillers U+3164 and U+115F that "invisible name" tricks
 * use), less the contextual ones; and unpaired UTF-16 surrogates, which are
 * no characters at all. White space is folded into spaces first.
 */
const INVISIBLE = new RegExp(`(?![${CONTEXTUAL}])[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Default_Ignorable_Code_Point}]`, "gu");
/** Every kind of white space, and the braille blank U+2800, which is the space of braille text. */
const SPACES = /[\p{White_Space}\u2800]+/gu;
const IN_CONTEXT = new RegExp(`\\u{1F3F4}[\\u{E0020}-\\u{E007E}]+\\u{E007F}|[${CONTEXTUAL}]`, "gu");

/** Scripts whose letters join or form conjuncts, where U+200C and U+200D change how a word is drawn. */
const JOINING_LETTER =
  /[\p{sc=Arabic}\p{sc=Syriac}\p{sc=Nko}\p{sc=Mongolian}\p{sc=Devanagari}\p{sc=Bengali}\p{sc=Gurmukhi}\p{sc=Gujarati}\p{sc=Oriya}\p{sc=Tamil}\p{sc=Telugu}\p{sc=Kannada}\p{sc=Malayalam}\p{sc=Sinhala}]/u;
const JOINING_BEFORE = new RegExp(`${JOINING_LETTER.source}$`, "u");
const JOINING_AFTER = new RegExp(`^${JOINING_LETTER.source}`, "u");
/** An emoji, with its skin tone or emoji presentation selector, right before a zero-width joiner. */
const EMOJI_BEFORE = /\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/**
 * Whether an invisible character found at `offset` does visible work there:
 * a zero-width joiner inside an emoji sequence (👩‍💻 is 👩 U+200D 💻), a
 * zero-width (non-)joiner between letters of a joining script (Persian
 * "می‌خواهم"), an emoji presentation selector after an emoji (❤️) or in a
 * keycap (1️⃣), an ideographic variation selector after a CJK ideograph, a
 * Mongolian variation selector after a Mongolian letter, and the tag
 * characters of a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Anywhere else they only hide.
 */
function keepInContext(found: string, offset: number, text: string): string {
  if (found.startsWith("\u{1F3F4}")) return found; // a whole flag tag sequence
  // the few code units around it are all any rule looks at (an emoji and its skin tone at most)
  const before = text.slice(Math.max(0, offset - 8), offset);
  const after = text.slice(offset + found.length, offset + found.length + 8);
  const zeroWidthJoiner = found === "\u200D";
  const keep =
    (zeroWidthJoiner && EMOJI_BEFORE.test(before) && EMOJI_AFTER.test(after)) ||
    ((zeroWidthJoiner || found === "\u200C") && JOINING_BEFORE.test(before) && JOINING_AFTER.test(after)) ||
    ((found === "\uFE0E" || found === "\uFE0F") && /\p{Extended_Pictographic}$/u.test(before)) ||
    (found === "\uFE0F" && /[0-9#*]$/.test(before) && after.startsWith("\u20E3")) ||
    (/[\uFE00-\uFE0D\u{E0100}-\u{E01EF}]/u.test(found) && /\p{Ideographic}$/u.test(before)) ||
    (/[\u180B-\u180D\u180F]/.test(found) && /\p{sc=Mongolian}$/u.test(before));
  return keep ? found : "";
}

/**
 * The one display-name rule of herenow, shared by the web app's sign-in,
 * `createPresenceToken` and the party's token check, so a name is judged the
 * same wherever it enters. It is about spoofing: a name is what the others
 * see, so two names that look alike must be equal and a name must look like
 * what it is.
 *
 * - Normalised to NFC, so "é" typed as e + U+0301 equals the single "é".
 * - Refused if it holds a bidirectional embedding, override or isolate
 *   (U+202A–U+202E, U+2066–U+2069): "\u202Enimda" is drawn "admin".
 * - Invisible characters are stripped, not refused, since they come along
 *   unseen when a name is pasted: controls, format characters such as the
 *   zero-width space U+200B, the word joiner U+2060, U+FEFF and the
 *   direction marks U+200E, U+200F, U+061C, and the default-ignorable fillers.
 *   Kept only where they do visible work: U+200D inside an emoji sequence
 *   (👩‍💻), U+200C/U+200D between letters of a joining script, variation
 *   selectors after an emoji or ideograph, a flag's tag characters.
 * - White space of any kind (and the braille blank U+2800) becomes one
 *   space, trimmed at both ends.
 * - Refused if nothing visible is left ("\u200B" alone, "   ").
 *
 * The length limits (64 in a token, fewer in an app) apply to the result.
 *
 * @example
 * normalizeDisplayName(" Ann\u200B  Lee ") // { ok: true, name: "Ann Lee" }
 * normalizeDisplayName("\u202Enimda") // { ok: false, reason: "a name cannot contain a right-to-left override (U+202E)…" }
 */
export function normalizeDisplayName(raw: string): DisplayNameCheck {
  const text = raw.normalize("NFC");
  const control = DIRECTION_CONTROL.exec(text)?.[0];
  if (control !== undefined) {
    const code = control.codePointAt(0)?.toString(16).toUpperCase();
    return {
      ok: false,
      reason: `a name cannot contain ${DIRECTION_CONTROLS[control]} (U+${code}): it changes the order the letters are shown in, so one name could pass for another`,
    };
  }
  const name = text
    .replace(SPACES, " ")
    .replace(INVISIBLE, "")
    .replace(IN_CONTEXT, keepInContext)
    .replace(/ {2,}/g, " ")
    .trim()
    // stripping can bring a letter and its accent together
    .normalize("NFC");
  if (name === "") return { ok: false, reason: "a name needs at least one visible character" };
  return { ok: true, name };
}
