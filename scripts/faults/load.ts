/**
 * A steady load for the outage scenarios: loops that send requests back to back and record every
 * answer (start, end, status), so a fault's effect on latency and status can be read afterwards.
 */
import type { Reply } from './client.js';
import { sleep } from './run.js';

export interface Answer {
  kind: string;
  start: number;
  end: number;
  status: number;
  error?: string;
}

export interface Probe {
  kind: string;
  /** One request; `i` counts the loop's requests. */
  send: (i: number) => Promise<Reply<unknown>>;
}

export function runLoad(probes: Probe[], pauseMs = 20) {
  const answers: Answer[] = [];
  let running = true;
  const loops = probes.map(async (probe) => {
    for (let i = 0; running; i++) {
      const start = performance.now();
      const r = await probe.send(i);
      answers.push({ kind: probe.kind, start, end: performance.now(), status: r.status, ...(r.error ? { error: r.error } : {}) });
      await sleep(pauseMs);
    }
  });
  return {
    answers,
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}

export interface OutageFigures {
  /** Answers of requests started while the dependency was down, by status. */
  during: Record<string, number>;
  first503Ms: number | null;
  slowestDuringMs: number;
  /** Answers neither 2xx nor 503 (a 500, a transport error) from the fault on. */
  lost: number;
  /** From the dependency's return to the first 2xx of `kind` started after it. */
  recoveryMs: Record<string, number | null>;
}

export function outageFigures(answers: Answer[], downAt: number, upAt: number, kinds: string[]): OutageFigures {
  const during = answers.filter((a) => a.start >= downAt && a.start < upAt);
  const statuses: Record<string, number> = {};
  for (const a of during) statuses[`${a.kind} ${a.status || a.error}`] = (statuses[`${a.kind} ${a.status || a.error}`] ?? 0) + 1;
  const first503 = answers.filter((a) => a.end >= downAt && a.status === 503).sort((x, y) => x.end - y.end)[0];
  const recoveryMs: Record<string, number | null> = {};
  for (const kind of kinds) {
    const ok = answers.filter((a) => a.kind === kind && a.start >= upAt && a.status >= 200 && a.status < 300).sort((x, y) => x.end - y.end)[0];
    recoveryMs[kind] = ok ? Math.round(ok.end - upAt) : null;
  }
  return {
    during: statuses,
    first503Ms: first503 ? Math.round(first503.end - downAt) : null,
    slowestDuringMs: Math.round(Math.max(0, ...during.map((a) => a.end - a.start))),
    lost: answers.filter((a) => a.end >= downAt && !(a.status >= 200 && a.status < 300) && a.status !== 503).length,
    recoveryMs,
  };
}
