import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const guards = fileURLToPath(new URL('./process-guards.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** Runs a script under tsx; resolves with its exit code (or 'alive' when still running after `ms`) and stdout. */
function runScript(source: string, ms: number): Promise<{ outcome: number | 'alive'; stdout: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guards-'));
  const file = path.join(dir, 'script.mts');
  writeFileSync(file, source);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      resolve({ outcome: 'alive', stdout });
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ outcome: code ?? -1, stdout });
    });
  });
}

describe('issue 15.1: both processes log and survive an unhandled rejection from a dependency', () => {
  it('with the guard the process logs the rejection and keeps running; without it Node ends it', async () => {
    const script = (guarded: boolean) => `
      ${guarded ? `const { surviveUnhandledRejections } = await import(${JSON.stringify(guards)});
      surviveUnhandledRejections({ error: (obj, msg) => console.log(msg + ': ' + obj.err.message) });` : ''}
      setInterval(() => undefined, 1000);
      setTimeout(() => Promise.reject(new Error('Reached the max retries per request limit')), 50);
      setTimeout(() => console.log('still running'), 400);
    `;
    const guarded = await runScript(script(true), 3000);
    expect(guarded.outcome).toBe('alive');
    expect(guarded.stdout).toContain('unhandled promise rejection (process kept running): Reached the max retries');
    expect(guarded.stdout).toContain('still running');

    const bare = await runScript(script(false), 3000);
    expect(bare.outcome).not.toBe('alive');
  });
});
