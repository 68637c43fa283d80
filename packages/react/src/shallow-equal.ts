/**
 * Equal when both are the same, or arrays or plain objects whose items
 * are the same (`Object.is`) one level deep: the usual `isEqual` for a
 * selector that maps users to a new array.
 *
 * @example
 * const names = usePresenceUsers("lobby", (users) => users.map((u) => u.name), shallowEqual);
 */
export function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) =>
      Object.hasOwn(b, key) && Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
