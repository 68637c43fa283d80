import { EnterRoomForm } from "@/components/enter-room-form";
import { RoomList } from "@/components/room-list";
import { SignInForm, signInError } from "@/components/sign-in-form";
import { lobbyRooms } from "@/server/lobby";
import { currentUser } from "@/server/page-session";

export const dynamic = "force-dynamic";

export default async function LobbyPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [user, rooms, query] = await Promise.all([currentUser(), lobbyRooms(), searchParams]);
  return (
    <div className="lobby">
      <section className="card lobby-intro">
        <h1>Who is here right now?</h1>
        <p className="muted">
          A chat that shows who is in each room, live: open a room in two windows and watch the other one appear.
        </p>
        {user ? (
          <p>
            Signed in as <strong data-testid="lobby-user">{user.name}</strong>.
          </p>
        ) : (
          <>
            <p>Pick a name to chat, or look around as a guest.</p>
            <SignInForm returnTo="/" error={signInError(query.signin)} />
          </>
        )}
      </section>
      <section className="card">
        <h2>Create or enter a room</h2>
        <EnterRoomForm />
      </section>
      <section className="card">
        <h2>Rooms</h2>
        <RoomList initialRooms={rooms} />
      </section>
    </div>
  );
}
