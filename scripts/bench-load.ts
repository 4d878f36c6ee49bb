/**
 * The load generator of the HTTP benchmarks, run as a child process (`fork`) so that autocannon does
 * not share the event loop and the CPU core of the server it measures. The parent sends one
 * LoadRequest over IPC; this process drives the URL and answers with LoadFigures, then exits.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  url: string;
  connections: number;
  seconds: number;
  /** Each request picks one of these at random (path and headers). */
  targets: Array<{ path: string; headers: Record<string, string> }>;
}

export interface LoadFigures {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  total: number;
}

async function drive(req: LoadRequest): Promise<LoadFigures> {
  const times: number[] = [];
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: req.url,
        connections: req.connections,
        duration: req.seconds,
        requests: [
          {
            method: 'GET',
            setupRequest: (r) => {
              const next = req.targets[Math.floor(Math.random() * req.targets.length)]!;
              return { ...r, path: next.path, headers: { ...r.headers, ...next.headers } };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
  });
  // autocannon's own summary has p90/p97.5 but no p95: keep every response time (ms) instead.
  instance?.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  const result = await done;
  times.sort((x, y) => x - y);
  const pct = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 10) / 10;
  return {
    rps: result.requests.average,
    p50: pct(0.5),
    p95: pct(0.95),
    p99: pct(0.99),
    max: pct(1),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

process.once('message', (message: LoadRequest) => {
  drive(message)
    .then((figures) => process.send?.(figures, () => process.exit(0)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
});
