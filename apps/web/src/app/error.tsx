"use client";

/** A page failed to render (the database unreachable, say): say so and offer to try again (`retry` re-fetches the page). */
export default function PageError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  return (
    <section className="card narrow" role="alert">
      <h1>Something went wrong</h1>
      <p className="muted">
        The page could not be loaded{error.digest ? ` (error ${error.digest})` : ""}. The server log has the details.
      </p>
      <button type="button" onClick={retry}>
        Try again
      </button>
    </section>
  );
}
