import { isValidRoomName } from "@herenow/core";
import { notFound } from "next/navigation";
import { ChatRoom } from "@/components/room/chat-room";
import { signInError } from "@/components/sign-in-form";
import { type RoomPageProps, roomTitle } from "@/lib/room-page";
import { currentUser } from "@/server/page-session";
import { roomSnapshotForPage } from "@/server/room-snapshot";

export const dynamic = "force-dynamic";

export const generateMetadata = roomTitle("", "No such room");

export default async function RoomPage({ params, searchParams }: RoomPageProps) {
  const { room } = await params;
  // The party's own rule: a name it would refuse with 400 never gets a page.
  if (!isValidRoomName(room)) notFound();
  // who is here, read from the room while the page renders: in the first HTML, never an empty list first
  const [user, query, initialSnapshot] = await Promise.all([currentUser(), searchParams, roomSnapshotForPage(room)]);
  return (
    <ChatRoom
      key={room}
      room={room}
      user={user}
      signInError={signInError(query.signin)}
      initialSnapshot={initialSnapshot}
    />
  );
}
