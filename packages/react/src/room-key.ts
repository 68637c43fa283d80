/**
 * The query key a room's presence lives under in the React Query cache, for
 * devtools and tests.
 *
 * @example
 * const room = queryClient.getQueryData(roomKey("127.0.0.1:1999", "main", "lobby"));
 */
export function roomKey(host: string, party: string, room: string): readonly [string, string, string, string] {
  return ["herenow", host, party, room];
}
