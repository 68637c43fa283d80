/** Rooms per page on /admin. */
export const ROOM_PAGE_SIZE = 50;

/** Room names are at most 64 characters, so a longer search can match nothing: the rest is cut off. */
const MAX_SEARCH_LENGTH = 100;

/** Far past any real last page; keeps the database offset a small number whatever the URL says. */
const MAX_PAGE = 1_000_000;

/**
 * Which rooms /admin lists: `?q=` (part of the name) and `?page=` (from 1).
 *
 * @example
 * const { search, page } = roomListParams(await searchParams); // { search: "lob", page: 2 }
 */
export interface RoomListParams {
  search: string;
  page: number;
}

type SearchParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

/**
 * Reads `?q=` and `?page=` as a person typed or edited them: the search
 * trimmed, a page that is not a whole number from 1 read as the first.
 *
 * @example roomListParams({ q: " lob ", page: "2" }) // { search: "lob", page: 2 }
 */
export function roomListParams(params: SearchParams): RoomListParams {
  const search = first(params.q).trim().slice(0, MAX_SEARCH_LENGTH);
  const pageText = first(params.page).trim();
  const page = /^\d{1,7}$/.test(pageText) ? Math.min(Math.max(Number(pageText), 1), MAX_PAGE) : 1;
  return { search, page };
}

/**
 * The /admin address of a page of rooms; page 1 and an empty search are left out.
 *
 * @example roomListHref({ search: "a b", page: 2 }) // "/admin?q=a+b&page=2"
 */
export function roomListHref({ search, page }: RoomListParams): string {
  const query = new URLSearchParams();
  if (search !== "") query.set("q", search);
  if (page > 1) query.set("page", String(page));
  const text = query.toString();
  return text === "" ? "/admin" : `/admin?${text}`;
}

/**
 * How many pages `total` rooms take (at least one, the empty one).
 *
 * @example pageCount(240, 50) // 5
 */
export function pageCount(total: number, pageSize = ROOM_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * Which rooms a page shows, for people: "Showing 51–100 of 240 rooms".
 *
 * @example showingRange(2, 240, 50) // "Showing 51–100 of 240 rooms"
 */
export function showingRange(page: number, total: number, pageSize = ROOM_PAGE_SIZE): string {
  const noun = total === 1 ? "room" : "rooms";
  if (total === 0) return "No rooms";
  const from = Math.min((page - 1) * pageSize + 1, total);
  const to = Math.min(page * pageSize, total);
  return from === to ? `Showing ${from} of ${total} ${noun}` : `Showing ${from}–${to} of ${total} ${noun}`;
}
