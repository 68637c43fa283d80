import type { HistoryRange } from "@herenow/db";
import { HISTORY_RANGES } from "@herenow/db";
import Link from "next/link";
import type { HistoryJson } from "@/lib/presence-history";
import { PresenceCharts } from "./presence-charts";

const RANGE_NAMES: Record<HistoryRange, string> = { hour: "Hour", day: "Day", week: "Week" };

/**
 * The "Online" card of /admin and of an admin room page: the range picker
 * (plain links, so it works without JavaScript), the chart and the quality.
 *
 * @example
 * <PresenceOverview history={await adminHistory(range, null)} href={(r) => `/admin?range=${r}`} />
 */
export function PresenceOverview({ history, href }: { history: HistoryJson; href: (range: HistoryRange) => string }) {
  return (
    <section className="card" aria-labelledby="online-heading">
      <div className="presence-overview-head">
        <h2 id="online-heading">Online</h2>
        <nav aria-label="Range of the chart" className="range-picker">
          {HISTORY_RANGES.map((range) => (
            <Link
              key={range}
              className="range-link"
              href={href(range)}
              aria-current={range === history.range ? "page" : undefined}
            >
              {RANGE_NAMES[range]}
            </Link>
          ))}
        </nav>
      </div>
      <PresenceCharts initial={history} />
    </section>
  );
}
