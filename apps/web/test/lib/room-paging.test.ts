import { describe, expect, it } from "vitest";
import { listHref, pageCount, roomListHref, roomListParams, showingRange } from "@/lib/room-paging";

describe("roomListParams", () => {
  it("reads the search trimmed and the page as a whole number from 1", () => {
    expect(roomListParams({})).toEqual({ search: "", page: 1 });
    expect(roomListParams({ q: "  lob ", page: "3" })).toEqual({ search: "lob", page: 3 });
    expect(roomListParams({ q: ["a", "b"], page: ["2", "9"] })).toEqual({ search: "a", page: 2 });
  });

  it("reads a page that is not a whole number from 1 as the first", () => {
    for (const page of ["0", "-2", "1.5", "two", "", "1e3", "99999999"]) {
      expect(roomListParams({ page }).page, page).toBe(1);
    }
  });

  it("keeps LIKE wildcards as typed: the database takes them literally", () => {
    expect(roomListParams({ q: "a_%\\" }).search).toBe("a_%\\");
  });

  it("cuts a search far longer than any room name", () => {
    expect(roomListParams({ q: "x".repeat(5_000) }).search).toHaveLength(100);
  });
});

describe("roomListHref", () => {
  it("leaves out page 1 and an empty search, and encodes the rest", () => {
    expect(roomListHref({ search: "", page: 1 })).toBe("/admin");
    expect(roomListHref({ search: "", page: 2 })).toBe("/admin?page=2");
    expect(roomListHref({ search: "a&b %", page: 1 })).toBe("/admin?q=a%26b+%25");
    expect(
      roomListParams(Object.fromEntries(new URL(roomListHref({ search: "a&b", page: 4 }), "http://x").searchParams)),
    ).toEqual({
      search: "a&b",
      page: 4,
    });
  });
});

describe("pageCount and showingRange", () => {
  it("counts pages, one at least", () => {
    expect(pageCount(0, 50)).toBe(1);
    expect(pageCount(50, 50)).toBe(1);
    expect(pageCount(51, 50)).toBe(2);
    expect(pageCount(240, 50)).toBe(5);
  });

  it("says which rooms a page shows", () => {
    expect(showingRange(1, 240, 50)).toBe("Showing 1–50 of 240 rooms");
    expect(showingRange(2, 240, 50)).toBe("Showing 51–100 of 240 rooms");
    expect(showingRange(5, 240, 50)).toBe("Showing 201–240 of 240 rooms");
    expect(showingRange(1, 1, 50)).toBe("Showing 1 of 1 room");
    expect(showingRange(3, 101, 50)).toBe("Showing 101 of 101 rooms");
    expect(showingRange(1, 0, 50)).toBe("No rooms");
  });

  it("says it of connections too, thousands written as on every page", () => {
    const connections = ["connection", "connections"] as const;
    expect(showingRange(200, 10_000, 50, connections)).toBe("Showing 9,951–10,000 of 10,000 connections");
    expect(showingRange(1, 1, 50, connections)).toBe("Showing 1 of 1 connection");
    expect(showingRange(1, 0, 50, connections)).toBe("No connections");
    expect(listHref("/admin/rooms/stage", { search: "ann", page: 3 })).toBe("/admin/rooms/stage?q=ann&page=3");
    expect(listHref("/admin/rooms/stage", { search: "", page: 1 })).toBe("/admin/rooms/stage");
  });
});
