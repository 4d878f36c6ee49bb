/**
 * `npm run events`: prints every domain event with the functions that publish it and those that
 * subscribe to it, read from the source (scripts/event-map.ts). `npm run events -- --markdown`
 * prints the same as the Markdown table of docs/ARCHITECTURE.md's "Domain events" section. Exits 1
 * when the map finds a problem (a subscription outside a *.subscriptions.ts file, a bus call whose
 * event name is not a literal or names no declared event).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEventMap, formatMarkdown, formatText } from './event-map.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const map = buildEventMap(root);
process.stdout.write(process.argv.includes('--markdown') ? formatMarkdown(map) : formatText(map));
process.exitCode = map.problems.length > 0 ? 1 : 0;
