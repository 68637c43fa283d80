import {
  type MirrorChanges,
  type PublishedRoom,
  RoomMirror,
  type RoomPresence,
  type ShardReport,
  takeShardReport,
} from "@herenow/core/engine";
import type { CoordinatorRpc } from "./room-rpc";

/** The coordinator's answer to a report: the number of the diff that includes it, or a request for everything. */
export type ReportReply = { seq: number } | { need: "full" };

/** What a coordinator sends a shard: the room's next diff, or the whole room after it restarted. */
export type ShardPush = { diff: MirrorChanges } | { published: PublishedRoom };

/** What `ShardLink` needs of the shard object it serves. */
export interface ShardHost {
  readonly shard: number;
  /** How long the room remembers who left (`HERENOW_RECENT_MS`). */
  readonly recentMs?: number;
  /** The shard's own connections. */
  readonly presence: RoomPresence;
  coordinator(): Pick<CoordinatorRpc, "herenowReport" | "herenowPublished">;
  /** Sends the room's changes to this shard's sockets and a sync to the connections in `syncs`, holding back `held`. */
  publish(changes: MirrorChanges | null, syncs: string[], held: ReadonlySet<string>): void;
  /** Sends a fresh sync to every connection that had one (its copy of the room was lost, as in a wake). */
  resyncAll(held: ReadonlySet<string>): void;
  /** Runs the next report soon (after a refused or failed one). */
  flushLater(ms: number): void;
  log(message: string): void;
}

/** How long a shard waits before it reports again after its coordinator could not be reached. */
const RETRY_MS = 1000;

/**
 * The shard half of a sharded room. Each coalescing window the shard reports
 * what changed among its own connections (never more than one report in
 * flight: what piles up meanwhile goes out as one); the coordinator answers
 * with the number of the room's diff that includes it, and sends every
 * shard each diff, which the shard applies to its copy of the room
 * (`RoomMirror`) and passes on to its sockets. A newcomer's sync waits until
 * the copy includes the newcomer, so a sync always lists the connection's
 * own user, as in a room of one object. Heartbeats never come here: they are
 * answered by the shard alone.
 */
export class ShardLink {
  readonly mirror: RoomMirror;
  /** The coordinator must hear everything: first report after a start, or after a refused or lost one. */
  private needFull = true;
  private inFlight = false;
  /** Something changed while a report was in flight: report again when it is answered. */
  private again = false;
  /** Connections waiting to be reported before they get their sync. */
  private unreported: string[] = [];
  /** Connections in the report in flight: the answer says which diff their sync waits for. */
  private reporting: string[] = [];
  /** Connection id → the number of the room's diff its sync waits for. */
  private readonly syncAt = new Map<string, number>();
  private catchingUp: Promise<void> | null = null;
  /** Whether this process ever had the room: a copy lost to hibernation cannot say what changed. */
  private loaded = false;

  constructor(private readonly host: ShardHost) {
    this.mirror = new RoomMirror({ recentMs: host.recentMs });
  }

  /** Connections that must not get a diff yet: they have not had their first sync. */
  held(): ReadonlySet<string> {
    return new Set([...this.unreported, ...this.reporting, ...this.syncAt.keys()]);
  }

  /** One coalescing window ended: report it, and queue the syncs of the connections that wait for one. */
  flush(waiting: string[], at: number): void {
    this.unreported.push(...waiting);
    if (this.inFlight) {
      // what changed meanwhile goes out with the next report, as soon as this one is answered
      this.again = true;
      return;
    }
    const report = takeShardReport(this.host.presence, { full: this.needFull, at });
    const reported = this.unreported;
    this.unreported = [];
    if (!report) {
      // nothing the room needs to hear: the copy already holds everything these connections need
      for (const id of reported) this.syncAt.set(id, 0);
      void this.syncReady();
      return;
    }
    this.needFull = false;
    this.inFlight = true;
    this.reporting = reported;
    void this.send(report, reported);
  }

  /** A diff or the whole room from the coordinator. */
  async receive(push: ShardPush): Promise<void> {
    if ("published" in push) this.replace(push.published);
    else {
      const result = this.mirror.apply(push.diff);
      if (result === "applied") this.host.publish(push.diff, this.takeReady(), this.held());
      else if (result === "gap") await this.catchUp();
    }
    await this.syncReady();
  }

  /** The coordinator restarted: it needs everything, and the copy must be taken afresh. */
  refresh(): void {
    this.needFull = true;
    this.mirror.reset();
    this.host.flushLater(0);
  }

  /** Resolves once this shard holds a copy of the room (at once, unless it woke without one). */
  async haveRoom(): Promise<void> {
    if (!this.mirror.ready) await this.catchUp();
  }

  /** A connection closed: it waits for nothing any more. */
  forget(connectionId: string): void {
    this.syncAt.delete(connectionId);
    this.unreported = this.unreported.filter((id) => id !== connectionId);
    this.reporting = this.reporting.filter((id) => id !== connectionId);
  }

  private async send(report: ShardReport, reported: string[]): Promise<void> {
    let retry = false;
    try {
      const reply = await this.host.coordinator().herenowReport(this.host.shard, report);
      if ("need" in reply) retry = true;
      else for (const id of reported) this.syncAt.set(id, reply.seq);
    } catch (error) {
      retry = true;
      this.host.log(`shard ${this.host.shard} could not report to its coordinator: ${String(error)}`);
    }
    this.inFlight = false;
    this.reporting = [];
    if (retry) {
      this.needFull = true;
      this.unreported.unshift(...reported);
      this.host.flushLater(RETRY_MS);
    } else if (this.again || this.unreported.length > 0) this.host.flushLater(0);
    this.again = false;
    await this.syncReady();
  }

  /** Sends the syncs whose diff the copy has reached; a copy not yet taken is taken first. */
  private async syncReady(): Promise<void> {
    if (this.syncAt.size === 0) return;
    await this.haveRoom();
    const ready = this.takeReady();
    if (ready.length > 0) this.host.publish(null, ready, this.held());
  }

  private takeReady(): string[] {
    const ready: string[] = [];
    if (!this.mirror.ready) return ready;
    for (const [id, seq] of this.syncAt) {
      if (seq > this.mirror.seq) continue;
      ready.push(id);
      this.syncAt.delete(id);
    }
    return ready;
  }

  /** Takes the room's state after a gap or a wake; concurrent callers share one request. */
  private catchUp(): Promise<void> {
    this.catchingUp ??= this.host
      .coordinator()
      .herenowPublished()
      .then((state) => this.replace(state))
      .catch((error) => this.host.log(`shard ${this.host.shard} could not read its room: ${String(error)}`))
      .finally(() => {
        this.catchingUp = null;
      });
    return this.catchingUp;
  }

  private replace(state: PublishedRoom): void {
    const changes = this.mirror.replace(state);
    if (!changes) return;
    if (this.loaded) this.host.publish(changes, this.takeReady(), this.held());
    else {
      this.loaded = true;
      this.takeReady(); // every connection not held back gets its sync now, these included
      this.host.resyncAll(this.held());
    }
  }
}
