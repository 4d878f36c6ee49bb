/**
 * CPU time per process group, read from /proc (Linux): what a benchmark phase cost each party on a
 * machine where the server, PostgreSQL, Redis and the load generator share the cores. Elsewhere
 * (no /proc) every snapshot is empty and the figures are omitted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export type CpuGroups = Record<string, number>;

/** Ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** Which group a process belongs to: by pid first, else by its command line. */
export type Classifier = (pid: number, commandLine: string) => string | undefined;

/** The key of the whole machine's busy CPU seconds in a snapshot (from /proc/stat). */
const MACHINE = '*machine';

/** Busy CPU seconds of the whole machine so far: user, nice, system, irq, softirq and steal of /proc/stat. */
function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) used so far by the live processes of each group, and by the whole
 * machine (so what ended meanwhile, the kernel and everything else show as "other").
 */
export function cpuSnapshot(classify: Classifier): CpuGroups {
  const groups: CpuGroups = {};
  const machine = machineBusySeconds();
  if (machine !== undefined) groups[MACHINE] = machine;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const group = classify(Number(entry), commandLine);
      if (!group) continue;
      // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) groups[group] = (groups[group] ?? 0) + ticks / TICKS_PER_SECOND;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return groups;
}

/** CPU milliseconds per unit of work between two snapshots, per group (processes that ended are not counted). */
export function cpuPerUnit(before: CpuGroups, after: CpuGroups, units: number): CpuGroups {
  const out: CpuGroups = {};
  for (const [group, seconds] of Object.entries(after)) {
    out[group] = (Math.max(0, seconds - (before[group] ?? 0)) * 1000) / Math.max(units, 1);
  }
  return out;
}

/** "server 1.10 ms, postgres 0.90 ms, ..., other 0.3 ms = 2.9 ms; 1,000/s would need 2.9 of 2 cores" (the total is the whole machine's). */
export function describeCpu(perUnit: CpuGroups, unit: string, targetRate: number): string {
  const entries = Object.entries(perUnit).filter(([group]) => group !== MACHINE).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'CPU per process: not available (no /proc)';
  const named = entries.reduce((sum, [, ms]) => sum + ms, 0);
  const machine = perUnit[MACHINE];
  if (machine !== undefined && machine > named) entries.push(['other (the kernel, processes that ended, the rest of the machine)', machine - named]);
  const total = Math.max(named, machine ?? 0);
  const parts = entries.map(([group, ms]) => `${group} ${ms.toFixed(2)} ms`).join(', ');
  const cores = (total * targetRate) / 1000;
  return `CPU per ${unit}: ${parts} = ${total.toFixed(2)} ms; ${targetRate.toLocaleString('en')}/s would need ${cores.toFixed(2)} of this machine's ${os.cpus().length} cores`;
}
