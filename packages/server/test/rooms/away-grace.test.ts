import { describe, expect, it } from "vitest";
import { ann, bo, ROOM_KINDS, roomSuite, SHARDED_VARS } from "./workers";

// A grace for the browser's 1001 (a reload, a closed tab) far shorter than the leave grace, so
// which one a close got shows without timing it: a closed tab is gone long before the leave grace.
const party = roomSuite({
  HERENOW_AWAY_GRACE_MS: "3000",
  HERENOW_LEAVE_GRACE_MS: "60000",
  ...SHARDED_VARS,
});
const GOING_AWAY = 1001;

describe.each(ROOM_KINDS)("the away grace of a 1001 close, in %s", (_what, room) => {
  it("makes a reload under the same connection id invisible to the others", async () => {
    const watcher = await party.connect(`${room}-reload`, { user: bo });
    const tab = await party.connect(`${room}-reload`, { user: ann, pk: "ann-tab" });
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const from = watcher.messages.length;
    tab.close(GOING_AWAY, "reload");
    const again = await party.connect(`${room}-reload`, { user: ann, pk: "ann-tab" });
    expect((await again.next("presence:sync", 0)).self.connectionId).toBe("ann-tab");
    // past the away grace: had the reload been a leave, the watcher would have seen it by now
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(watcher.joinsAndLeavesSince(from)).toEqual([]);
    expect(watcher.userIds().sort()).toEqual(["u-ann", "u-bo"]);
  });

  it("lets a closed tab go when the away grace ends, long before the leave grace", async () => {
    const watcher = await party.connect(`${room}-closed`, { user: bo });
    const tab = await party.connect(`${room}-closed`, { user: ann, pk: "ann-closed" });
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    tab.close(GOING_AWAY, "tab closed");
    // 20 s: well past the away grace (3 s), a third of the leave grace (60 s)
    await watcher.waitForUsers(["u-bo"], 20_000);
  }, 30_000);

  it("keeps the leave grace for any other close (a lost network)", async () => {
    const watcher = await party.connect(`${room}-lost`, { user: bo });
    const tab = await party.connect(`${room}-lost`, { user: ann, pk: "ann-lost" });
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    tab.terminate();
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(watcher.userIds().sort()).toEqual(["u-ann", "u-bo"]);
  });
});

describe("a reload under a new connection id", () => {
  it("takes the place of the tab in its away grace, with no event (a room of one object)", async () => {
    const watcher = await party.connect("plain-newid", { user: bo });
    const tab = await party.connect("plain-newid", { user: ann, pk: "ann-old" });
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const from = watcher.messages.length;
    tab.close(GOING_AWAY, "reload");
    await party.connect("plain-newid", { user: ann, pk: "ann-new" });
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(watcher.joinsAndLeavesSince(from)).toEqual([]);
    expect(watcher.snapshot.users.find((user) => user.id === "u-ann")?.connections).toBe(1);
  });
});
