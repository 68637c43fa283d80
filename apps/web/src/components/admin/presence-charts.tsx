"use client";

import { useEffect, useRef, useState } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatCount } from "@/lib/head-count";
import type { HistoryJson } from "@/lib/presence-history";
import { ago } from "@/lib/relative-time";
import { PresenceQuality } from "./presence-quality";
import { TableHead } from "./table-head";

const CHART_HEIGHT = 220;

/** The step's start as the table shows it, in UTC so the server's HTML and the browser's agree. */
function stepLabel(at: number, stepMs: number): string {
  const iso = new Date(at).toISOString();
  return stepMs >= 3_600_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

function historyUrl(data: Pick<HistoryJson, "range" | "room">): string {
  const query = new URLSearchParams({ range: data.range });
  if (data.room) query.set("room", data.room);
  return `/api/admin/history?${query}`;
}

/** The page's colours, read when drawing, so the chart follows light and dark like the rest. */
function colours(element: Element) {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    people: read("--accent", "#1f5bd1"),
    connections: read("--ok", "#0f7a3f"),
    text: read("--text", "#16181d"),
    grid: read("--border", "#dfe3e8"),
  };
}

/**
 * People and connections online over a range as a time-series chart (uPlot,
 * on a canvas), the presence quality beside it, and the numbers as a table
 * under a disclosure, so the page reads without JavaScript. It starts from
 * the server's render and moves on by itself: the JSON route every few
 * seconds while the tab is visible, with "updated 3 s ago".
 *
 * @example
 * <PresenceCharts initial={await adminHistory("hour", null)} /> // in a server component
 */
export function PresenceCharts({ initial, everyMs = 5_000 }: { initial: HistoryJson; everyMs?: number }) {
  const [data, setData] = useState(initial);
  // a newer server render (the page's own refresh, another range picked) wins over an older fetch
  if (initial.range !== data.range || initial.room !== data.room || initial.at > data.at) setData(initial);
  const [arrivedAt, setArrivedAt] = useState(() => Date.now());
  const [now, setNow] = useState(arrivedAt);
  const [failed, setFailed] = useState(false);
  const chartRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const current = useRef(data);
  useEffect(() => {
    current.current = data;
    setArrivedAt(Date.now());
  }, [data]);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(tick);
  }, []);

  useEffect(() => {
    let busy = false;
    const refresh = async () => {
      if (busy || document.visibilityState !== "visible") return;
      busy = true;
      try {
        const response = await fetch(historyUrl(current.current), { cache: "no-store" });
        if (!response.ok) throw new Error(`history: ${response.status}`);
        const next = (await response.json()) as HistoryJson;
        if (next.range === current.current.range && next.room === current.current.room) setData(next);
        setFailed(false);
      } catch {
        setFailed(true);
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(refresh, everyMs);
    document.addEventListener("visibilitychange", refresh);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", refresh);
    };
  }, [everyMs]);

  // the chart: made once per range and room, fed new data as it comes, redrawn on resize and scheme change
  const chartOf = `${data.range} ${data.room ?? ""}`;
  useEffect(() => {
    const element = chartRef.current;
    if (!element) return;
    element.dataset.chart = chartOf;
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    const scheme = window.matchMedia("(prefers-color-scheme: dark)");
    const build = async () => {
      const { default: UPlot } = await import("uplot");
      if (cancelled) return;
      plotRef.current?.destroy();
      const c = colours(element);
      const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
      const plot = new UPlot(
        {
          width: Math.max(200, element.clientWidth),
          height: CHART_HEIGHT,
          legend: { show: false },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] } },
          series: [
            {},
            { label: "People", stroke: c.people, width: 2, points: { show: false } },
            { label: "Connections", stroke: c.connections, width: 1.5, dash: [5, 4], points: { show: false } },
          ],
          axes: [axis, { ...axis, size: 44 }],
          hooks: {
            draw: [
              (u) => {
                element.dataset.drawn = String(u.data[0]?.length ?? 0);
              },
            ],
          },
        },
        seriesOf(current.current),
        element,
      );
      plotRef.current = plot;
      observer = new ResizeObserver(() =>
        plot.setSize({ width: Math.max(200, element.clientWidth), height: CHART_HEIGHT }),
      );
      observer.observe(element);
    };
    void build();
    scheme.addEventListener("change", build);
    return () => {
      cancelled = true;
      scheme.removeEventListener("change", build);
      observer?.disconnect();
      plotRef.current?.destroy();
      plotRef.current = null;
    };
  }, [chartOf]);

  useEffect(() => {
    plotRef.current?.setData(seriesOf(data));
  }, [data]);

  const latest = data.points.at(-1);
  const peak = Math.max(0, ...data.points.map((p) => p.people));
  const label =
    `People online over ${data.range === "hour" ? "the last hour, per minute" : data.range === "day" ? "the last day, per 10 minutes" : "the last week, per hour"}: ` +
    `${formatCount(latest?.people ?? 0)} now, at most ${formatCount(peak)}.`;
  const stale = now - arrivedAt > everyMs * 3 + 1_000;
  return (
    <div className="presence-charts" data-testid="presence-charts" data-range={data.range}>
      <div className="presence-chart-wrap">
        <div className="presence-chart-head">
          <p className="presence-legend small">
            <span className="legend-people">People</span> <span className="legend-connections">Connections</span>
          </p>
          <p className="muted small" data-testid="history-updated">
            Updated {ago(new Date(arrivedAt), Math.max(now, arrivedAt))}
            {failed || stale ? (
              <span role="status"> · not updating: the server has not answered; still trying</span>
            ) : null}
          </p>
        </div>
        <div
          ref={chartRef}
          className="presence-chart"
          role="img"
          aria-label={label}
          data-testid="online-chart"
          data-points={data.points.length}
        />
      </div>
      <PresenceQuality data={data} />
      <details className="presence-numbers">
        <summary>The numbers</summary>
        <div className="table-wrap">
          <table className="table" data-testid="online-table">
            <caption className="muted small">Online per step; times are step starts in UTC.</caption>
            <TableHead columns={["From (UTC)", "People", "Connections"]} />
            <tbody>
              {data.points.map((point) => (
                <tr key={point.at} data-testid="online-row" data-at={point.at}>
                  <td>{stepLabel(point.at, data.stepMs)}</td>
                  <td>{formatCount(point.people)}</td>
                  <td>{formatCount(point.connections)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

/** uPlot's columns: step starts in seconds, people, connections. */
function seriesOf(data: HistoryJson): uPlot.AlignedData {
  return [data.points.map((p) => p.at / 1000), data.points.map((p) => p.people), data.points.map((p) => p.connections)];
}
