import type { RecentUser } from "@herenow/core";
import { ago } from "@/lib/relative-time";

/** How many of the room's recently left the panel names; the room keeps up to 20. */
const SHOWN = 5;

/**
 * Who left a moment ago ("Ann left 3 min ago"), newest first, so an empty
 * list still says who was just here. Gone when they come back.
 */
export function RecentlyLeft({ recent, now }: { recent: readonly RecentUser[]; now: number }) {
  if (recent.length === 0) return null;
  return (
    <div className="recently-left" data-testid="recently-left">
      <h3 className="muted small">Recently left</h3>
      <ul>
        {recent.slice(0, SHOWN).map((user) => (
          <li key={user.id} className="muted small" data-testid="left-user" data-user-name={user.name}>
            {user.name} left{" "}
            <time dateTime={new Date(user.leftAt).toISOString()}>{ago(new Date(user.leftAt), now)}</time>
          </li>
        ))}
      </ul>
    </div>
  );
}
