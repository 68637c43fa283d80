import {
  type HeadPush,
  type HeadReport,
  OwnChanges,
  type RoomPresence,
  ShardReporter,
  ShardView,
  type ViewChanges,
} from "@herenow/core/engine";
import type { CoordinatorRpc } from "./room-rpc";

/** The coordinator's answer to a report: taken (a push will say it includes it), or a request for everything. */
export type ReportReply = { ok: true } | { need: "full" };

/** What `ShardLink` needs of the shard object it serves. */
export interface ShardHost {
  readonly shard: number;
  /** How long the room remembers who left (`HERENOW_RECENT_MS`). */
  readonly recentMs?: number;
  /** The shard's own connections. */
  readonly presence: RoomPresence;
  coordinator(): Pick<CoordinatorRpc, "herenowReport" | "herenowPublished">;
  /** How many of the room's first users the shard's sockets show (`HeadReport.shows`). */
  shows(): number;
  /** Whether some socket here must see every number of the room (a whole list): an empty diff then goes too. */
  needsEveryDiff(): boolean;
  /** Sends the room's changes to this shard's sockets and a sync to the connections in `syncs`, holding back `held`. */
  publish(changes: ViewChanges | null, syncs: string[], held: ReadonlySet<string>): void;
  /** Sends a fresh sync to every connection that had one (its view of the room was lost, as in a wake). */
  resyncAll(held: ReadonlySet<string>): void;
  /** Runs the next report soon (after a refused or failed one). */
  flushLater(ms: number): void;
  log(message: string): void;
}

/** How long a shard waits before it reports again after its coordinator could not be reached. */
const RETRY_MS = 1000;
/** How long a newcomer's sync waits for the head to be exact before it goes with the head as it is. */
const EXACT_WAIT_MS = 1000;

/**
 * The shard half of a room sharded by person. Each coalescing window the
 * shard reports to the coordinator what the coordinator needs of its own
 * people (`ShardReporter`: its counts, the first of them by arrival, the ones
 * other shards follow; never more than one report in flight), numbered. The
 * coordinator answers each interval with a push (`HeadPush`: the room's
 * head, the people this shard's sockets follow, the counts), numbered like
 * a room's diffs and naming the last report it includes; the shard keeps
 * them (`ShardView`) and passes them on to its sockets together with the
 * changes of its own people from the reports the push includes, so its
 * sockets see its own people under the room's numbering. A newcomer's sync
 * waits for the push that includes it, so a sync always lists the
 * connection's own user, as in a room of one object. Heartbeats never come
 * here: they are answered by the shard alone.
 */
export class ShardLink {
  readonly view: ShardView;
  readonly reporter: ShardReporter;
  /** The coordinator must hear everything: first report after a start, or after a refused or lost one. */
  private needFull = true;
  private inFlight = false;
  /** Something changed while a report was in flight: report again when it is answered. */
  private again = false;
  /** Connections waiting to be reported before they get their sync. */
  private unreported: string[] = [];
  /** Connections in the report in flight. */
  private reporting: string[] = [];
  /** Connection id → the number of this shard's report its sync waits for, and since when. */
  private readonly syncAfter = new Map<string, { no: number; since: number }>();
  private readonly own = new OwnChanges();
  /** The number of the last report taken, and of the last one a push included. */
  private reportNo = 0;
  private included = 0;
  /** Whether the last push said its head is exact. */
  private exact = false;
  private catchingUp: Promise<void> | null = null;
  /** Whether this process ever had the room: a copy lost to hibernation cannot say what changed. */
  private loaded = false;
  /** The number and counts the shard's sockets last heard: a push under a new number is passed on. */
  private told = { seq: 0, count: -1, anonymous: -1 };

  constructor(private readonly host: ShardHost) {
    this.view = new ShardView(host.presence, { recentMs: host.recentMs });
    this.reporter = new ShardReporter(host.presence);
  }

  /** Connections that must not get a diff yet: they have not had their first sync. */
  held(): ReadonlySet<string> {
    return new Set([...this.unreported, ...this.reporting, ...this.syncAfter.keys()]);
  }

  /** One coalescing window ended: report it, and queue the syncs of the connections that wait for one. */
  flush(waiting: string[], at: number): void {
    this.unreported.push(...waiting);
    if (this.inFlight) {
      // what changed meanwhile goes out with the next report, as soon as this one is answered
      this.again = true;
      return;
    }
    const no = this.reportNo + 1;
    const { report, own } = this.reporter.take({ full: this.needFull, at, no, shows: this.host.shows() });
    const reported = this.unreported;
    this.unreported = [];
    if (!report) {
      // nothing the room needs to hear: these connections wait only for the reports already taken
      for (const id of reported) this.syncAfter.set(id, { no: this.reportNo, since: at });
      void this.syncReady();
      return;
    }
    this.reportNo = no;
    if (own) this.own.add(no, own);
    this.needFull = false;
    this.inFlight = true;
    this.reporting = reported;
    void this.send(report, reported, at);
  }

  /** A push from the coordinator (JSON of a `HeadPush`). */
  async receive(push: HeadPush): Promise<void> {
    const changes = this.view.apply(push);
    if (changes === "gap") await this.catchUp();
    else if (changes !== "duplicate") this.took(push, changes);
    await this.syncReady();
  }

  /** The coordinator restarted: it needs everything, and sends the room afresh. */
  refresh(): void {
    this.needFull = true;
    this.view.reset();
    this.host.flushLater(0);
  }

  /** Resolves once this shard holds its view of the room (at once, unless it woke without one). */
  async haveRoom(): Promise<void> {
    if (!this.view.ready) await this.catchUp();
  }

  /** A connection closed: it waits for nothing any more. */
  forget(connectionId: string): void {
    this.syncAfter.delete(connectionId);
    this.unreported = this.unreported.filter((id) => id !== connectionId);
    this.reporting = this.reporting.filter((id) => id !== connectionId);
  }

  private async send(report: HeadReport, reported: string[], at: number): Promise<void> {
    let retry = false;
    try {
      const reply = await this.host.coordinator().herenowReport(this.host.shard, report);
      if ("need" in reply) retry = true;
      else for (const id of reported) this.syncAfter.set(id, { no: report.no ?? 0, since: at });
    } catch (error) {
      retry = true;
      this.host.log(`shard ${this.host.shard} could not report to its coordinator: ${String(error)}`);
    }
    this.inFlight = false;
    this.reporting = [];
    if (retry) {
      this.needFull = true;
      this.reporter.unsent(report);
      this.unreported.unshift(...reported);
      this.host.flushLater(RETRY_MS);
    } else if (this.again || this.unreported.length > 0) this.host.flushLater(0);
    this.again = false;
    await this.syncReady();
  }

  /** A push applied: the coordinator's changes and the own ones it includes go to the sockets. */
  private took(push: HeadPush, changes: ViewChanges): void {
    this.reporter.heard(push);
    // The head lacks people (not exact), or this shard must watch others: the next report goes
    // without waiting for a change here. A request that only moves the cutoff along waits for one.
    if (push.full || push.watch || (push.request && !push.exact)) this.host.flushLater(0);
    this.included = Math.max(this.included, push.reportNo);
    this.exact = push.exact;
    const merged = this.own.mergeInto(changes, this.included, push.at);
    const { told } = this;
    const counts = { count: this.view.userCount, anonymous: this.view.anonymous };
    if (push.seq > told.seq) this.told = { seq: push.seq, ...counts };
    if (!this.loaded) {
      this.loaded = true;
      this.takeReady(); // every connection not held back gets its sync now, these included
      this.host.resyncAll(this.held());
      return;
    }
    // A new number goes to the sockets even with nothing in it for them when one lists the whole
    // room: such a client takes a skipped number for a lost diff. Windows may skip numbers.
    const quiet =
      merged.joined.length + merged.updated.length + merged.left.length === 0 &&
      counts.count === told.count &&
      counts.anonymous === told.anonymous;
    const pass = push.seq > told.seq && (!quiet || this.host.needsEveryDiff());
    this.host.publish(pass ? merged : null, this.takeReady(), this.held());
  }

  /** Sends the syncs whose report a push included; a copy not yet taken is taken first. */
  private async syncReady(): Promise<void> {
    if (this.syncAfter.size === 0) return;
    await this.haveRoom();
    const ready = this.takeReady();
    if (ready.length > 0) this.host.publish(null, ready, this.held());
  }

  /**
   * The connections whose report a push included and whose sync may go: the head is exact, or
   * it has not been for `EXACT_WAIT_MS` (a room whose first users change all the time).
   */
  private takeReady(): string[] {
    const ready: string[] = [];
    if (!this.view.ready) return ready;
    const now = Date.now();
    for (const [id, { no, since }] of this.syncAfter) {
      if (no > this.included || (!this.exact && now - since < EXACT_WAIT_MS)) continue;
      ready.push(id);
      this.syncAfter.delete(id);
    }
    if (!this.exact && this.syncAfter.size > 0) this.host.flushLater(EXACT_WAIT_MS);
    return ready;
  }

  /** Takes this shard's part of the room after a gap or a wake; concurrent callers share one request. */
  private catchUp(): Promise<void> {
    this.catchingUp ??= this.host
      .coordinator()
      .herenowPublished(this.host.shard)
      .then((push) => {
        const changes = this.view.apply(push);
        if (changes !== "gap" && changes !== "duplicate") this.took(push, changes);
      })
      .catch((error) => this.host.log(`shard ${this.host.shard} could not read its room: ${String(error)}`))
      .finally(() => {
        this.catchingUp = null;
      });
    return this.catchingUp;
  }
}
