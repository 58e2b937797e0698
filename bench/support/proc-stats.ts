/**
 * What the kernel says a process costs: CPU time (user + system, /proc/<pid>/stat) and resident memory
 * (/proc/<pid>/status VmRSS). Linux only; the benches run where the app is deployed.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime. 100 on every Linux this runs on (`getconf CLK_TCK`). */
const CLK_TCK = 100;

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** CPU time the process has used so far, in ms; null once it is gone. */
export function cpuMs(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // comm (field 2) may contain spaces and parentheses: the fields after its closing ')' start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Resident set size in MB; null once the process is gone. */
export function rssMb(pid: number): number | null {
  const m = read(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) / 1024 : null;
}

/** Processes whose command line (arguments joined by spaces; a process title for PostgreSQL) matches. */
export function findPids(match: (cmdline: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = read(`/proc/${entry}/cmdline`);
    if (cmd && match(cmd.replaceAll('\0', ' ').trim())) pids.push(Number(entry));
  }
  return pids;
}

/** The PostgreSQL backends serving one database (titled `postgres: [<cluster>: ]<user> <database> <host> …`). */
export const postgresBackends = (database: string): number[] =>
  findPids((c) => c.match(/^postgres: (?:\S+: )?\S+ (\S+) /)?.[1] === database);

/** The redis-server listening on this port (its title is `redis-server 127.0.0.1:<port>`). */
export const redisServerPid = (port: number): number | undefined =>
  findPids((c) => c.startsWith('redis-server') && c.includes(`:${port}`))[0];

/**
 * CPU used by groups of processes between `start()` and `stop()`. A group's pids are looked up at both ends
 * (PostgreSQL backends come and go with the pools): a process that appears in between counts from zero, one
 * that exits in between loses what it used since start (the pools keep their connections, so this is rare).
 */
export function cpuMeter(groups: Record<string, () => number[]>) {
  let before = new Map<number, number>();
  const snapshot = () => {
    const m = new Map<number, number>();
    for (const pids of Object.values(groups))
      for (const pid of pids()) {
        const c = cpuMs(pid);
        if (c !== null) m.set(pid, c);
      }
    return m;
  };
  return {
    start() {
      before = snapshot();
    },
    /** ms of CPU per group since start(). */
    stop(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) {
        let sum = 0;
        for (const pid of pids()) {
          const now = cpuMs(pid);
          if (now !== null) sum += now - (before.get(pid) ?? 0);
        }
        out[name] = sum;
      }
      return out;
    },
  };
}

/** Samples RSS of a few processes every `everyMs` until stopped; returns each one's peak in MB. */
export function rssPeaks(pids: Record<string, number>, everyMs = 250) {
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name]!, rssMb(pid) ?? 0);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
