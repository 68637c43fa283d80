/** Fixed instants, so tests never race the real clock. */
export const T0 = new Date("2026-11-28T12:00:00.000Z");

/** `T0` plus some seconds. */
export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}
