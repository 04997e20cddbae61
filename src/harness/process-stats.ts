/**
 * CPU seconds and resident memory of a process tree (the server's primary
 * and its workers), read from /proc, sampled while the run goes on so the
 * peak is seen.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

interface ProcSample {
  userS: number;
  systemS: number;
  rssBytes: number;
}

export interface CpuTimes {
  userS: number;
  systemS: number;
}

function readProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { userS: utime / TICKS_PER_SECOND, systemS: stime / TICKS_PER_SECOND, rssBytes: rssPages * PAGE_BYTES };
  } catch {
    return undefined;
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  for (const child of childrenOf(pid)) out.push(child, ...descendantsOf(child));
  return out;
}

export class ProcessTreeSampler {
  #timer: NodeJS.Timeout | undefined;
  #cpuLast = new Map<number, CpuTimes>();
  rssPeakBytes = 0;

  constructor(readonly rootPid: number) {}

  start(intervalMs = 500): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    let rss = 0;
    for (const pid of [this.rootPid, ...descendantsOf(this.rootPid)]) {
      const sample = readProc(pid);
      if (!sample) continue;
      rss += sample.rssBytes;
      this.#cpuLast.set(pid, { userS: sample.userS, systemS: sample.systemS });
    }
    this.rssPeakBytes = Math.max(this.rssPeakBytes, rss);
  }

  /** CPU used so far by every process of the tree seen (a process that exited keeps its last sample). */
  cpu(): CpuTimes {
    this.sample();
    let userS = 0;
    let systemS = 0;
    for (const times of this.#cpuLast.values()) {
      userS += times.userS;
      systemS += times.systemS;
    }
    return { userS, systemS };
  }

  stop(): { cpu: CpuTimes; rssPeakMb: number } {
    const cpu = this.cpu();
    clearInterval(this.#timer);
    return { cpu, rssPeakMb: Math.round((this.rssPeakBytes / 1024 / 1024) * 10) / 10 };
  }
}
