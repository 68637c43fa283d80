import { LoadingStatus, SkeletonRows } from "@/components/skeleton";

/** The room's layout while the page comes: who is online on the side, messages and the message box. */
export default function RoomLoading() {
  return (
    <div className="room" aria-busy="true">
      <header className="room-header">
        <span className="skeleton skeleton-title" aria-hidden="true" />
        <LoadingStatus>Loading the room…</LoadingStatus>
      </header>
      <div className="room-body">
        <aside className="room-side">
          <section className="online">
            <h2>Online</h2>
            <SkeletonRows count={3} avatar />
          </section>
        </aside>
        <section className="chat" aria-label="Chat">
          <div className="messages">
            <SkeletonRows count={4} avatar />
          </div>
          <div className="composer" aria-hidden="true">
            <span className="skeleton" style={{ height: "2.6rem", margin: 0 }} />
            <span className="skeleton" style={{ height: "2.6rem", width: "4.5rem", margin: 0 }} />
          </div>
        </section>
      </div>
    </div>
  );
}
