import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, describe, expect, it } from "vitest";
import { LastSeenCard } from "@/components/admin/last-seen-card";
import { closeDatabase, database } from "@/server/db";

// Issue 29, item 3: the admin room page's "last seen" for people who left the room.

afterAll(closeDatabase);

describe("the admin room page's last seen", () => {
  it("lists who left the room with when they were last seen, and where if elsewhere, not who is here", async () => {
    const { store } = database();
    const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 12, minute));
    await store.add("seen-room", "s1", { id: "seen-ann", name: "Ann" }, { at: at(0) });
    await store.remove("seen-room", "s1", "left", { at: at(10) });
    await store.add("seen-room", "s2", { id: "seen-bo", name: "Bo" }, { at: at(1) });
    await store.remove("seen-room", "s2", "left", { at: at(2) });
    await store.add("seen-other", "s3", { id: "seen-bo", name: "Bo" }, { at: at(3) });
    await store.remove("seen-other", "s3", "left", { at: at(20) });
    await store.add("seen-room", "s4", { id: "seen-cy", name: "Cy" }, { at: at(4) });
    await store.add("seen-room", "s5", { id: "seen-di", name: "Di" }, { at: at(5) });
    await store.remove("seen-room", "s5", "left", { at: at(6) });
    await store.add("seen-else", "s6", { id: "seen-di", name: "Di" }, { at: at(7) });

    const [connections, sessions] = await Promise.all([
      store.getPresences("seen-room"),
      store.sessions({ room: "seen-room", limit: 50 }),
    ]);
    const card = await LastSeenCard({ room: "seen-room", connections, sessions, now: at(30).getTime() });
    const items = [...renderToStaticMarkup(card).matchAll(/<li>(.*?)<\/li>/g)].map(([, item]) =>
      (item ?? "").replace(/<[^>]+>/g, ""),
    );
    expect(items).toEqual([
      "Di: now in #seen-else",
      "Bo: last seen 10 min ago in #seen-other",
      "Ann: last seen 20 min ago",
    ]);
  });

  it("shows nothing when nobody left", async () => {
    const { store } = database();
    await store.add("seen-full", "f1", { id: "seen-full-ann", name: "Ann" });
    const [connections, sessions] = await Promise.all([
      store.getPresences("seen-full"),
      store.sessions({ room: "seen-full", limit: 50 }),
    ]);
    expect(await LastSeenCard({ room: "seen-full", connections, sessions, now: Date.now() })).toBeNull();
  });
});
