/** Every count the site shows, in one format: 2,001. */
const numbers = new Intl.NumberFormat("en-US");

/**
 * A whole number as every page shows it, so the lobby, a room and the admin
 * pages never disagree on how a number is written.
 *
 * @example
 * formatCount(2001) // "2,001"
 */
export function formatCount(count: number): string {
  return numbers.format(count);
}

/**
 * A count with its noun, singular for one.
 *
 * @example
 * countOf(2000, "guest") // "2,000 guests"
 */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : plural}`;
}

/** How many people a room has, as the lobby and the room itself both say it. */
export interface HeadCount {
  /** Signed-in users plus guests: the number shown large. */
  people: number;
  /** `people`, formatted: "2,004". */
  total: string;
  /** What makes them up: "2,001 signed in, 3 guests"; "" for nobody. */
  detail: string;
}

/**
 * The lobby's card and the room's online panel count a room the same way:
 * everyone here (signed-in users and guests), then the two apart.
 *
 * @example
 * headCount(2001, 3) // { people: 2004, total: "2,004", detail: "2,001 signed in, 3 guests" }
 */
export function headCount(signedIn: number, guests: number): HeadCount {
  const parts: string[] = [];
  if (signedIn > 0) parts.push(`${formatCount(signedIn)} signed in`);
  if (guests > 0) parts.push(countOf(guests, "guest"));
  const people = signedIn + guests;
  return { people, total: formatCount(people), detail: parts.join(", ") };
}
