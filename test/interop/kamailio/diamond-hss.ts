// Diamond as the HSS of the Kamailio interop test: a real `diamond start` process (the TypeScript
// sources through tsx) with Cx answered from its SQLite store, the admin API on a kernel-chosen
// loopback port, and the S-CSCF as a peer that connects in. Subscribers are provisioned and read
// back over the REST API, as an operator would.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// DIAMOND_ROOT runs another checkout (e.g. a clean export of a commit) against the same test.
const ROOT = process.env.DIAMOND_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface DiamondHssOptions {
  identity: string;
  realm: string;
  /** The S-CSCF's Diameter identity (cdp FQDN) and realm. */
  scscf: { identity: string; realm: string };
  logLevel?: 'info' | 'debug';
}

// Whatever happens to the test run, no process of ours outlives it.
const running = new Set<DiamondHss>();
process.once('exit', () => {
  for (const p of running) p.killNow();
});

export class DiamondHss {
  readonly dir: string;
  readonly logPath: string;
  diameterPort = 0;
  apiUrl = '';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly opts: DiamondHssOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'diamond-hss-'));
    this.logPath = join(this.dir, 'diamond.log');
  }

  static async start(opts: DiamondHssOptions): Promise<DiamondHss> {
    const d = new DiamondHss(opts);
    try {
      await d.launch();
      return d;
    } catch (err) {
      await d.dispose();
      throw err;
    }
  }

  private async launch(): Promise<void> {
    const o = this.opts;
    const config = join(this.dir, 'diamond.yaml');
    const q = JSON.stringify;
    writeFileSync(
      config,
      [
        `identity: ${q(o.identity)}`,
        `realm: ${q(o.realm)}`,
        'listen:',
        '  - { transport: tcp, address: "127.0.0.1", port: 0 }',
        'peers:',
        // cdp connects to us; Diamond only accepts.
        `  - { identity: ${q(o.scscf.identity)}, realm: ${q(o.scscf.realm)}, address: "127.0.0.1", port: 3868, connect: false }`,
        'hss:',
        '  enabled: true',
        '  applications: [cx]',
        'api: { enabled: true, address: "127.0.0.1", port: 0 }',
        `dataDir: ${q(join(this.dir, 'data'))}`,
        // messageDump: every Cx message decoded in the log (secrets masked), for assertions and failure reports.
        `log: { level: ${o.logLevel ?? 'info'}, messageDump: true }`,
        '',
      ].join('\n'),
    );
    const out = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
      child = spawn(process.execPath, ['--import', loader, join(ROOT, 'src/cli/main.ts'), 'start', '-c', config], { stdio: ['ignore', out, out], cwd: this.dir });
    } finally {
      closeSync(out);
    }
    this.child = child;
    running.add(this);
    this.exited = new Promise((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    child.once('error', () => undefined);
    const start = Date.now();
    for (;;) {
      // "Diamond <id> (realm <r>) listening on tcp://127.0.0.1:PORT; HSS: cx; admin API http://127.0.0.1:PORT; ..."
      const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+).*admin API (http:\/\/127\.0\.0\.1:\d+)/.exec(this.log());
      if (m) {
        this.diameterPort = Number(m[1]);
        this.apiUrl = m[2]!;
        return;
      }
      if (!this.isRunning) throw new Error(`diamond exited before it was ready:\n${this.tail()}`);
      if (Date.now() - start > 20_000) throw new Error(`diamond not ready after 20 s:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** The decoded Diameter messages of the message dump (log.messageDump), in order, as text. */
  messages(direction?: 'received' | 'sent'): string[] {
    const out: string[] = [];
    for (const line of this.log().split('\n')) {
      if (!line.startsWith('{')) continue;
      let rec: { direction?: string; msg?: string };
      try {
        rec = JSON.parse(line) as { direction?: string; msg?: string };
      } catch {
        continue;
      }
      if (rec.direction !== undefined && rec.msg !== undefined && (direction === undefined || rec.direction === direction)) out.push(rec.msg);
    }
    return out;
  }

  tail(lines = 60): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  /** A REST call to the admin API; resolves with the status and the parsed JSON body. */
  async api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** POST that must create (201); throws with the API's error otherwise. */
  async create(path: string, body: unknown): Promise<Record<string, unknown>> {
    const r = await this.api('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  killNow(): void {
    if (this.isRunning) this.child?.kill('SIGKILL');
  }

  async stop(boundMs = 5000): Promise<void> {
    running.delete(this);
    const child = this.child;
    if (!child || !this.isRunning) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exited,
      new Promise<void>((r) => {
        timer = setTimeout(() => {
          if (this.isRunning) child.kill('SIGKILL');
          r();
        }, boundMs);
      }),
    ]);
    clearTimeout(timer);
    await this.exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (!process.env.KEEP_KAMAILIO_LOGS) rmSync(this.dir, { recursive: true, force: true });
  }
}
