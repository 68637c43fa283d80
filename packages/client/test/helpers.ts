import type { PresenceRoom, RoomState } from "../src";

/** Resolves with the room's state once `check` holds for it (checked now and at every change). */
export function until(room: PresenceRoom, check: (state: RoomState) => boolean, timeoutMs = 8000): Promise<RoomState> {
  return new Promise((resolve, reject) => {
    let stop = () => {};
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out; the room is ${JSON.stringify(room.getSnapshot())}`));
    }, timeoutMs);
    const test = () => {
      const state = room.getSnapshot();
      if (!check(state)) return;
      clearTimeout(timer);
      stop();
      resolve(state);
    };
    // a listener of its own would hold the socket open: this one watches beside the test's subscriber
    stop = room.subscribe(test);
    test();
  });
}

export const ids = (state: RoomState) => state.snapshot.users.map((user) => user.id);
