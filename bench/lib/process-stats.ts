import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";

const TICKS_PER_SECOND = 100;

interface ProcessInfo {
  pid: number;
  name: string;
  /** The executable's file name: Node 24 names its main thread "MainThread", so `name` no longer tells node. */
  exe: string;
  args: string[];
}

/** `/proc/<pid>/stat` after "pid (comm) ", split into fields (state is field 0). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
}

/** Processes of a process group, with their names and command lines (read from /proc: names may hold spaces). */
function processesOf(groupId: number): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // after "pid (comm) ": state 0, ppid 1, pgrp 2
      if (Number(statFields(pid)[2]) !== groupId) continue;
      const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      found.push({ pid, name, exe: basename(readlinkSync(`/proc/${pid}/exe`)), args });
    } catch {
      // gone between the listing and the read
    }
  }
  return found;
}

/** The processes of a running party, by role, for CPU and memory figures. */
export interface PartyProcesses {
  /** The workerd that runs the worker and its Durable Objects. */
  workerd: number;
  /** `wrangler dev`'s second workerd: it owns the public port and relays every frame (none under Miniflare). */
  relay: number | null;
  /** Node processes: Miniflare's runner, or npm exec and wrangler's CLI. */
  node: number[];
}

/**
 * Finds a party's processes in its process group. Under `wrangler dev` two workerd run:
 * the one whose entry socket is the party's port is the relay in front, the other runs the
 * worker; under Miniflare the only workerd owns the port and runs the worker itself.
 */
export function partyProcesses(groupId: number, port: number): PartyProcesses {
  const processes = processesOf(groupId);
  const workerds = processes.filter((p) => p.name === "workerd");
  const ownsPort = (p: ProcessInfo) => p.args.includes(`--socket-addr=entry=127.0.0.1:${port}`);
  const node = processes.filter((p) => p.exe === "node" || p.name.startsWith("npm")).map((p) => p.pid);
  if (workerds.length === 1 && workerds[0]) return { workerd: workerds[0].pid, relay: null, node };
  const relay = workerds.find(ownsPort);
  const worker = workerds.find((p) => !ownsPort(p));
  if (workerds.length !== 2 || !relay || !worker) {
    throw new Error(`expected one workerd (Miniflare) or two (wrangler dev), found ${workerds.length}`);
  }
  return { workerd: worker.pid, relay: relay.pid, node };
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = statFields(pid);
    // after "pid (comm) ": state is field 0, utime 11, stime 12
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by several processes together. */
export function cpuSecondsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/** CPU seconds the whole machine has been busy so far, all cores together (from /proc/stat). */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal ...
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}

/** Resident memory of a process in bytes. */
export function rssBytes(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    throw new Error(`process ${pid} is gone: the runtime crashed (see its log)`);
  }
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}
