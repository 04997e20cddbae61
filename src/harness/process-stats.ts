/**
 * CPU seconds and resident memory of a process tree (the server's primary
 * and its workers), read from /proc, sampled while the run goes on so the
 * peak is seen.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

interface ProcSample {
  cpuS: number;
  rssBytes: number;
}

function readProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { cpuS: (utime + stime) / TICKS_PER_SECOND, rssBytes: rssPages * PAGE_BYTES };
  } catch {
    return undefined;
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export class ProcessTreeSampler {
  #timer: NodeJS.Timeout | undefined;
  #cpuStart = new Map<number, number>();
  #cpuLast = new Map<number, number>();
  rssPeakBytes = 0;

  constructor(private readonly rootPid: number) {}

  start(intervalMs = 500): void {
    this.sample();
    for (const [pid, cpu] of this.#cpuLast) this.#cpuStart.set(pid, cpu);
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    let rss = 0;
    for (const pid of [this.rootPid, ...childrenOf(this.rootPid)]) {
      const sample = readProc(pid);
      if (!sample) continue;
      rss += sample.rssBytes;
      this.#cpuLast.set(pid, sample.cpuS);
    }
    this.rssPeakBytes = Math.max(this.rssPeakBytes, rss);
  }

  /** CPU seconds used since start(), over every process seen. */
  stop(): { cpuS: number; rssPeakMb: number } {
    this.sample();
    clearInterval(this.#timer);
    let cpu = 0;
    for (const [pid, last] of this.#cpuLast) cpu += last - (this.#cpuStart.get(pid) ?? 0);
    return { cpuS: Math.round(cpu * 100) / 100, rssPeakMb: Math.round((this.rssPeakBytes / 1024 / 1024) * 10) / 10 };
  }
}
