"use client";

/**
 * The last resort: the root layout itself failed (the session or the
 * settings could not be read), so this replaces the whole document. It
 * brings its own <html> and styles inline, and imports nothing of the app's,
 * since whatever broke the layout may break those too. The colours are the
 * browser's own for the visitor's light or dark scheme.
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  // a Server Component's error arrives as an Error with a digest; a client's may be any value
  const digest =
    typeof error === "object" && error !== null && "digest" in error && typeof error.digest === "string"
      ? error.digest
      : null;
  return (
    <html lang="en" style={{ colorScheme: "light dark" }}>
      <body style={{ margin: 0, fontFamily: "system-ui, sans-serif", lineHeight: 1.5 }}>
        <title>Something went wrong · herenow</title>
        <main style={{ maxWidth: "34rem", margin: "3rem auto", padding: "0 1.25rem" }}>
          <h1 style={{ fontSize: "1.5rem", lineHeight: 1.2 }}>Something went wrong</h1>
          <p role="alert">
            herenow could not show this page: something failed on the server before the page could be put together.
            Trying again often works; if it keeps happening, the server log has the details.
          </p>
          {digest ? (
            <p>
              Error reference: <code>{digest}</code>
            </p>
          ) : null}
          <p style={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: "1rem" }}>
            <button
              type="button"
              onClick={retry}
              style={{
                font: "inherit",
                fontWeight: 600,
                padding: "0.55rem 1rem",
                border: 0,
                borderRadius: 8,
                background: "#1f5bd1",
                color: "#ffffff",
                cursor: "pointer",
              }}
            >
              Try again
            </button>
            {/* a full page load, not a client navigation: the app's own layout is what failed */}
            <a href="/">Back to the lobby</a>
          </p>
        </main>
      </body>
    </html>
  );
}
