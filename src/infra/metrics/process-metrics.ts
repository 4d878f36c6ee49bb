import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * The process's own metrics (CPU, memory, heap, event-loop lag, GC, handles, open file descriptors:
 * prom-client's default set), collected ONCE per process into a registry of their own. They describe
 * the process, not an application in it, and each collection starts timers and observers that never
 * stop (the event-loop delay monitor, a GC observer): a test process building dozens of apps shares one.
 */
export function processMetricsRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
