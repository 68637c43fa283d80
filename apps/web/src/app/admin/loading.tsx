import { LoadingStatus, SkeletonRows } from "@/components/skeleton";

/** The rooms table's place while the admin page reads the database (also the login's, which is quicker). */
export default function AdminLoading() {
  return (
    <div className="admin" aria-busy="true">
      <header className="admin-header">
        <span className="skeleton skeleton-title" aria-hidden="true" />
        <LoadingStatus>Loading…</LoadingStatus>
      </header>
      <div className="card">
        <SkeletonRows count={5} />
      </div>
    </div>
  );
}
