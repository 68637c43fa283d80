import { formatCount } from "./head-count";

/** Rooms per page on /admin. */
export const ROOM_PAGE_SIZE = 50;

/** Connections per page on /admin/rooms/<room>. */
export const CONNECTION_PAGE_SIZE = 50;

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
 * The address of a page of an admin list at `path`; page 1 and an empty search are left out.
 *
 * @example listHref("/admin/rooms/stage", { search: "ann", page: 3 }) // "/admin/rooms/stage?q=ann&page=3"
 */
export function listHref(path: string, { search, page }: RoomListParams): string {
  const query = new URLSearchParams();
  if (search !== "") query.set("q", search);
  if (page > 1) query.set("page", String(page));
  const text = query.toString();
  return text === "" ? path : `${path}?${text}`;
}

/**
 * The /admin address of a page of rooms.
 *
 * @example roomListHref({ search: "a b", page: 2 }) // "/admin?q=a+b&page=2"
 */
export function roomListHref(params: RoomListParams): string {
  return listHref("/admin", params);
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
 * Which rows a page shows, for people: "Showing 51–100 of 240 rooms", thousands written 2,001.
 *
 * @example showingRange(2, 240, 50) // "Showing 51–100 of 240 rooms"
 * @example showingRange(1, 10000, 50, ["connection", "connections"]) // "Showing 1–50 of 10,000 connections"
 */
export function showingRange(
  page: number,
  total: number,
  pageSize = ROOM_PAGE_SIZE,
  [one, many]: readonly [string, string] = ["room", "rooms"],
): string {
  const noun = total === 1 ? one : many;
  if (total === 0) return `No ${many}`;
  const from = Math.min((page - 1) * pageSize + 1, total);
  const to = Math.min(page * pageSize, total);
  const [f, t, all] = [from, to, total].map(formatCount);
  return from === to ? `Showing ${f} of ${all} ${noun}` : `Showing ${f}–${t} of ${all} ${noun}`;
}
