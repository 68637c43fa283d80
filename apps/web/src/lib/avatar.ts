/**
 * Up to two initials of a name, for an avatar: "Ann Lee" → "AL", "bo" → "B".
 * Works on code points, so an emoji name gives the emoji.
 *
 * @example initials("Ann Lee") // "AL"
 */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = (word: string | undefined) => (word ? (Array.from(word)[0] ?? "") : "");
  const letters = words.length > 1 ? first(words[0]) + first(words.at(-1)) : first(words[0]);
  return letters.toUpperCase() || "?";
}

/**
 * A stable hue (0–359) for a user id, so everyone sees the same colour for the same person.
 *
 * @example `hsl(${hue("u_1")} 60% 45%)`
 */
export function hue(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}
