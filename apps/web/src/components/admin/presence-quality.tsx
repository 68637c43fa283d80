import { formatCount } from "@/lib/head-count";
import type { HistoryJson } from "@/lib/presence-history";

function seconds(ms: number | null): string {
  return ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Presence quality over the chart's range: flaps, vanished connections,
 * restarts and time to leave (p50 and p95, from the rooms' own
 * measurements), and a plain sentence for each thing that is off.
 *
 * @example
 * <PresenceQuality data={history} />
 */
export function PresenceQuality({ data }: { data: HistoryJson }) {
  const { quality, notices } = data;
  return (
    <div className="presence-quality" data-testid="presence-quality">
      <h3>Presence quality</h3>
      <dl className="quality-figures">
        <div>
          <dt>Flaps</dt>
          <dd data-testid="quality-flaps">{formatCount(quality.flaps)}</dd>
        </div>
        <div>
          <dt>Vanished</dt>
          <dd data-testid="quality-vanished">{formatCount(quality.vanished)}</dd>
        </div>
        <div>
          <dt>Restarts</dt>
          <dd data-testid="quality-restarts">{formatCount(quality.restarts)}</dd>
        </div>
        <div>
          <dt>Time to leave</dt>
          <dd data-testid="quality-leave">
            {quality.leave.count === 0
              ? "not measured"
              : `${seconds(quality.leave.p50)} median, ${seconds(quality.leave.p95)} p95`}
          </dd>
        </div>
      </dl>
      {notices.length === 0 ? (
        <p className="muted small" data-testid="quality-fine">
          Nothing off: no flaps, vanished connections, restarts or slow leaves.
        </p>
      ) : (
        <ul className="quality-notices" data-testid="quality-notices">
          {notices.map((notice) => (
            <li key={`${notice.text} ${notice.room}`} data-testid="quality-notice">
              {notice.text}
              {notice.room === null ? null : (
                <>
                  {" "}
                  in <code>{notice.room}</code>
                </>
              )}
              .
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">
        A flap is a user back within 10 s of leaving; vanished connections went without a goodbye (pruned); time to
        leave runs from a tab&apos;s close to the others seeing it go.
      </p>
    </div>
  );
}
