import type { ReactNode } from "react";

/**
 * The line a loading page shows and screen readers announce, in the room's
 * status pill with its waiting dot.
 *
 * @example <LoadingStatus>Loading the room…</LoadingStatus>
 */
export function LoadingStatus({ children }: { children: ReactNode }) {
  return (
    <p className="status status-wait" role="status" data-testid="loading-status">
      <span className="status-dot" aria-hidden="true" />
      {children}
    </p>
  );
}

/** Bar widths that vary like text does, the same on every render. */
const WIDTHS = ["72%", "48%", "64%", "36%", "58%"];

/**
 * Grey bars standing in for lines of content, optionally each behind an
 * avatar's circle; hidden from screen readers, which hear the status instead.
 *
 * @example <SkeletonRows count={3} avatar />
 */
export function SkeletonRows({ count, avatar = false }: { count: number; avatar?: boolean }) {
  return (
    <div className="stack" aria-hidden="true">
      {Array.from({ length: count }, (_, row) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the rows are identical placeholders that never reorder
        <div className="skeleton-row" key={row}>
          {avatar ? <span className="skeleton skeleton-avatar" /> : null}
          <span className="skeleton" style={{ maxWidth: WIDTHS[row % WIDTHS.length] }} />
        </div>
      ))}
    </div>
  );
}
