import { unsupportedNodeReason } from './node-support.js';

// Imported first by the process entry points (main.ts, worker.ts), so an unsupported Node stops
// with this message before any dependency can fail in a less clear way.
const reason = unsupportedNodeReason(process.versions.node);
if (reason) {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}
