import { isValidRoomName } from "@herenow/core";
import type { Metadata } from "next";

/** What Next gives a page under `rooms/[room]`. */
export type RoomPageProps = {
  params: Promise<{ room: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/**
 * A room page's `generateMetadata`: the title `${prefix}#room`, or `invalid` for a name the
 * party would refuse (the page itself answers 404 then).
 *
 * @example
 * export const generateMetadata = roomTitle("Admin ", "Admin");
 */
export function roomTitle(prefix: string, invalid: string): (props: RoomPageProps) => Promise<Metadata> {
  return async ({ params }) => {
    const { room } = await params;
    return { title: isValidRoomName(room) ? `${prefix}#${room}` : invalid };
  };
}
