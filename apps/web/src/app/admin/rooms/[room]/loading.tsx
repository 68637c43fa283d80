import Link from "next/link";
import { LoadingStatus, SkeletonRows } from "@/components/skeleton";

/** A room's admin page while it asks the party and the database: its sections, their rows in grey. */
export default function AdminRoomLoading() {
  return (
    <div className="admin" aria-busy="true">
      <p className="small">
        <Link href="/admin">← All rooms</Link>
      </p>
      <header className="admin-header">
        <span className="skeleton skeleton-title" aria-hidden="true" />
        <LoadingStatus>Loading the room…</LoadingStatus>
      </header>
      <section className="card">
        <h2>Connections</h2>
        <SkeletonRows count={3} />
      </section>
      <section className="card">
        <h2>Bans</h2>
        <SkeletonRows count={1} />
      </section>
      <section className="card">
        <h2>Session history</h2>
        <SkeletonRows count={4} />
      </section>
    </div>
  );
}
