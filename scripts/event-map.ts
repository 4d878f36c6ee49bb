/**
 * The domain-event map, read from the source: every event the features declare into `DomainEvents`
 * (src/infra/bus/domain-events.ts, merged from each `<feature>.events.ts`), with the functions that
 * publish it and the functions that subscribe to it. Parsing only (the TypeScript parser, no type
 * checker, so it takes a second, not a type-check's minute): a call `<x>.publish(<tx>, '<event>', ...)`,
 * `<subscriber>.on('<event>', ...)` in a *.subscriptions.ts file or `<x>.onCommit('<event>', ...)` whose
 * event argument is a declared event's name is a use of that event. That is exact for this code base
 * because the bus is always a value named `bus` (or `this.bus`, `ctx.bus`) and its subscribers are
 * made in the subscriptions files, and a call on the bus with a name that is not a literal is
 * reported as a problem instead of being guessed at. `npm run events` prints it
 * (scripts/events.ts); test/event-map.test.ts keeps its rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface SourceText {
  /** Path relative to the repository root, with forward slashes (e.g. `src/features/x/x.service.ts`). */
  file: string;
  text: string;
}

/** One call site: the file and the function (`Class.method`, or the function's name) it is in. */
export interface EventUse {
  file: string;
  line: number;
  where: string;
}

export interface EventEntry {
  name: string;
  declaredIn: string;
  /** The first sentence of the event's doc comment, if it has one. */
  doc: string | null;
  publishers: EventUse[];
  subscribers: EventUse[];
}

export interface EventMap {
  events: EventEntry[];
  /** What the map cannot vouch for: names that are not literals, unknown names, misplaced subscriptions. */
  problems: string[];
}

/** Where domain-event subscriptions belong: one `*.subscriptions.ts` per feature, called from context.ts. */
export const SUBSCRIPTIONS_FILE = /\.subscriptions\.ts$/;

const BUS_RECEIVER = /(^|\.)bus$/;
const BUS_PLUMBING = 'src/infra/bus/';

/** Source files the map reads: src/ without tests and test helpers (which subscribe to record events). */
function isMapped(file: string): boolean {
  return file.startsWith('src/') && file.endsWith('.ts') && !/\.test(-helpers)?\.ts$/.test(file);
}

/** Reads every mapped file under `root`/src. */
export function readSources(root: string): SourceText[] {
  const out: SourceText[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (isMapped(rel)) out.push({ file: rel, text: readFileSync(path.join(root, rel), 'utf8') });
    }
  };
  walk('src');
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

export function buildEventMap(root: string): EventMap {
  return mapEvents(readSources(root));
}

function parse(source: SourceText): ts.SourceFile {
  return ts.createSourceFile(source.file, source.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function literalText(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  return end === -1 ? flat : flat.slice(0, end + 1);
}

/** The events declared in one file: members of `interface DomainEvents` inside `declare module '...domain-events.js'`. */
function declaredEvents(sf: ts.SourceFile): Array<{ name: string; doc: string | null }> {
  const out: Array<{ name: string; doc: string | null }> = [];
  for (const statement of sf.statements) {
    if (!ts.isModuleDeclaration(statement) || !literalText(statement.name)?.endsWith('domain-events.js')) continue;
    const body = statement.body;
    if (!body || !ts.isModuleBlock(body)) continue;
    for (const decl of body.statements) {
      if (!ts.isInterfaceDeclaration(decl) || decl.name.text !== 'DomainEvents') continue;
      for (const member of decl.members) {
        if (!ts.isPropertySignature(member)) continue;
        const name = literalText(member.name) ?? (ts.isIdentifier(member.name) ? member.name.text : undefined);
        if (!name) continue;
        const comment = ts
          .getJSDocCommentsAndTags(member)
          .filter(ts.isJSDoc)
          .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
          .join(' ');
        out.push({ name, doc: comment ? firstSentence(comment) : null });
      }
    }
  }
  return out;
}

/** The name of the function a call sits in: `Class.method`, a function's or variable's name. */
function enclosingName(node: ts.Node): string {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (ts.isMethodDeclaration(at) || ts.isConstructorDeclaration(at) || ts.isGetAccessor(at)) {
      const cls = at.parent;
      const owner = ts.isClassDeclaration(cls) && cls.name ? cls.name.text : '(class)';
      const method = ts.isConstructorDeclaration(at) ? 'constructor' : at.name.getText();
      return `${owner}.${method}`;
    }
    if (ts.isFunctionDeclaration(at) && at.name) return at.name.text;
    if ((ts.isArrowFunction(at) || ts.isFunctionExpression(at)) && ts.isVariableDeclaration(at.parent)) {
      return at.parent.name.getText();
    }
  }
  return '(module)';
}

/** Builds the map from source texts (the files `readSources` gives, or any set a test composes). */
export function mapEvents(sources: SourceText[]): EventMap {
  const parsed = sources.map((s) => ({ file: s.file, sf: parse(s) }));
  const byName = new Map<string, EventEntry>();
  for (const { file, sf } of parsed) {
    for (const { name, doc } of declaredEvents(sf)) {
      byName.set(name, { name, declaredIn: file, doc, publishers: [], subscribers: [] });
    }
  }
  const problems: string[] = [];
  for (const { file, sf } of parsed) {
    // The bus's own plumbing passes on names it was given; each is counted at the literal call that gave it.
    if (file.startsWith(BUS_PLUMBING)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        // Publishing: `bus.publish(tx, '<event>', payload)`. Subscribing: `<subscriber>.on('<event>', ...)`
        // in a *.subscriptions.ts file (a subscriber made by `bus.subscriber(...)`), or `bus.onCommit('<event>', ...)`.
        const subscribing = method === 'onCommit' || (method === 'on' && SUBSCRIPTIONS_FILE.test(file));
        if (method === 'publish' || subscribing) {
          const receiver = node.expression.expression.getText(sf);
          const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
          const name = literalText(node.arguments[method === 'publish' ? 1 : 0]);
          const entry = name === undefined ? undefined : byName.get(name);
          const onBus = BUS_RECEIVER.test(receiver);
          if (entry) {
            const use = { file, line, where: enclosingName(node) };
            (method === 'publish' ? entry.publishers : entry.subscribers).push(use);
            if (subscribing && !SUBSCRIPTIONS_FILE.test(file)) {
              problems.push(`${file}:${line}: subscribes to ${entry.name} outside a *.subscriptions.ts file`);
            }
          } else if (method === 'on') {
            // Another emitter's `.on(...)` in a subscriptions file: not the bus.
          } else if (onBus && name === undefined) {
            problems.push(`${file}:${line}: ${receiver}.${method} with an event name that is not a literal`);
          } else if (onBus) {
            problems.push(`${file}:${line}: ${receiver}.${method}('${name}') names no declared event`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const events = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { events, problems };
}

/** `src/features/friends/friends.service.ts` → `friends/friends.service.ts` (src/ otherwise). */
function short(file: string): string {
  return file.replace(/^src\/features\//, '').replace(/^src\//, '');
}

/** "file (fnA, fnB)" per file, in file order. */
function describeUses(uses: EventUse[]): string[] {
  const byFile = new Map<string, Set<string>>();
  for (const use of uses) {
    const set = byFile.get(use.file) ?? new Set<string>();
    set.add(use.where);
    byFile.set(use.file, set);
  }
  return [...byFile.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, wheres]) => `${short(file)} (${[...wheres].join(', ')})`);
}

const NONE = '— none —';

/** The map as text: one block per event, then the events nobody publishes or nobody hears. */
export function formatText(map: EventMap): string {
  const lines: string[] = [`${map.events.length} domain events (publishers → subscribers), from the source:`, ''];
  for (const e of map.events) {
    lines.push(`${e.name}  [${short(e.declaredIn)}]${e.doc ? `  ${e.doc}` : ''}`);
    const pubs = describeUses(e.publishers);
    const subs = describeUses(e.subscribers);
    lines.push(`  published by:  ${pubs[0] ?? NONE}`, ...pubs.slice(1).map((p) => `                 ${p}`));
    lines.push(`  subscribed by: ${subs[0] ?? NONE}`, ...subs.slice(1).map((s) => `                 ${s}`));
  }
  lines.push('', ...summary(map));
  return `${lines.join('\n')}\n`;
}

/** The map as a Markdown section (docs/ARCHITECTURE.md, "Domain events"). */
export function formatMarkdown(map: EventMap): string {
  const cell = (uses: EventUse[]) => describeUses(uses).map((u) => `\`${u.split(' ')[0]}\``).join('<br>') || NONE;
  const lines = [
    '| Event | Published by | Subscribed by |',
    '|---|---|---|',
    ...map.events.map((e) => `| \`${e.name}\` | ${cell(e.publishers)} | ${cell(e.subscribers)} |`),
    '',
    ...summary(map).map((line) => (line ? `${line}  ` : line)),
  ];
  return `${lines.join('\n')}\n`;
}

function summary(map: EventMap): string[] {
  const unpublished = map.events.filter((e) => e.publishers.length === 0).map((e) => e.name);
  const unheard = map.events.filter((e) => e.subscribers.length === 0).map((e) => e.name);
  return [
    `Declared but never published (${unpublished.length}): ${unpublished.join(', ') || 'none'}`,
    `Published but no subscriber in src/ (${unheard.length}): ${unheard.join(', ') || 'none'}`,
    ...(map.problems.length > 0 ? ['', `Problems (${map.problems.length}):`, ...map.problems.map((p) => `  ${p}`)] : []),
  ];
}
