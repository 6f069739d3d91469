// Diamond as a separate process (`diamond start -c diamond.yaml`), for interop tests and benchmarks
// that need it isolated from the test runner: its own CPU accounting (/proc/PID/stat) and its own
// event loop. Writes diamond.yaml and the rule files into a mkdtemp directory, runs either the
// TypeScript sources through tsx (tests: no build needed) or dist/ (benchmarks: `npm run build`
// first), waits for the "listening on" line, and stops it by PID (SIGTERM, then SIGKILL).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processCpuSeconds } from './freediameter.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface DiamondPeerSpec {
  identity: string;
  realm?: string;
  address: string;
  port: number;
  tls?: 'none' | 'connect' | 'inband';
  /** Whether Diamond connects out (default true). */
  connect?: boolean;
}

export interface DiamondProcessOptions {
  identity: string;
  realm: string;
  listen: { transport: 'tcp' | 'tls'; address: string; port: number }[];
  peers: DiamondPeerSpec[];
  /** Rule files (rt_default syntax), written as rules-N.conf and listed under routing.rules. */
  rules?: string[];
  /** timers.requestTimeout, seconds: the answer-wait for relayed requests (then 3002). */
  requestTimeout?: number;
  /** PEM text; written to files and referenced under tls: when given. */
  tls?: { certPem: string; keyPem: string; caPem: string };
  /** Seconds (YAML timers are seconds). */
  tc?: number;
  tw?: number;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug';
  /** tsx: src/cli/main.ts through tsx; dist: dist/cli/main.js (after `npm run build`). */
  runner?: 'tsx' | 'dist';
  /** The checkout to run (default: this one; DIAMOND_ROOT overrides, to compare builds). */
  root?: string;
  /** Bound on the wait for the "listening on" line, ms. */
  readyTimeoutMs?: number;
}

const running = new Set<DiamondProcess>();
process.once('exit', () => {
  for (const d of running) d.killNow();
});

/** A YAML scalar: strings double-quoted (JSON strings are valid YAML), numbers and booleans bare. */
function y(v: string | number | boolean): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export class DiamondProcess {
  readonly opts: DiamondProcessOptions;
  readonly dir: string;
  readonly configPath: string;
  readonly logPath: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(opts: DiamondProcessOptions) {
    this.opts = opts;
    this.dir = mkdtempSync(join(tmpdir(), 'diamond-proc-'));
    this.configPath = join(this.dir, 'diamond.yaml');
    this.logPath = join(this.dir, 'diamond.log');
  }

  static async start(opts: DiamondProcessOptions): Promise<DiamondProcess> {
    const d = new DiamondProcess(opts);
    running.add(d);
    try {
      d.writeConfig();
      await d.launch();
      return d;
    } catch (err) {
      await d.dispose();
      throw err;
    }
  }

  /** The diamond.yaml this process runs with. */
  yaml(): string {
    return readFileSync(this.configPath, 'utf8');
  }

  private writeConfig(): void {
    const o = this.opts;
    // A pure relay: no HSS applications, no subscriber store.
    const lines = [`identity: ${y(o.identity)}`, `realm: ${y(o.realm)}`, 'hss: { enabled: false }', 'listen:'];
    for (const l of o.listen) lines.push(`  - transport: ${l.transport}`, `    address: ${y(l.address)}`, `    port: ${l.port}`);
    if (o.tls) {
      const cert = join(this.dir, 'diamond.pem');
      const key = join(this.dir, 'diamond.key');
      const ca = join(this.dir, 'ca.pem');
      writeFileSync(cert, o.tls.certPem);
      writeFileSync(key, o.tls.keyPem, { mode: 0o600 });
      writeFileSync(ca, o.tls.caPem);
      lines.push('tls:', `  cert: ${y(cert)}`, `  key: ${y(key)}`, `  ca: ${y(ca)}`);
    }
    lines.push('peers:');
    for (const p of o.peers) {
      lines.push(`  - identity: ${y(p.identity)}`, `    address: ${y(p.address)}`, `    port: ${p.port}`);
      if (p.realm) lines.push(`    realm: ${y(p.realm)}`);
      if (p.tls) lines.push(`    tls: ${p.tls}`);
      if (p.connect === false) lines.push('    connect: false');
    }
    lines.push('timers:', `  tc: ${o.tc ?? 1}`, `  tw: ${o.tw ?? 30}`);
    if (o.requestTimeout !== undefined) lines.push(`  requestTimeout: ${o.requestTimeout}`);
    lines.push('log:', `  level: ${o.logLevel ?? 'info'}`, 'api:', '  enabled: false');
    if (o.rules !== undefined) {
      lines.push('routing:', '  rules:');
      o.rules.forEach((text, i) => {
        const file = join(this.dir, `rules-${i + 1}.conf`);
        writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
        lines.push(`    - ${y(file)}`);
      });
    }
    writeFileSync(this.configPath, lines.join('\n') + '\n');
  }

  private command(): string[] {
    const root = this.opts.root ?? process.env.DIAMOND_ROOT ?? ROOT;
    if ((this.opts.runner ?? 'tsx') === 'dist') {
      const main = join(root, 'dist/cli/main.js');
      if (!existsSync(main)) throw new Error(`${main} does not exist: run \`npm run build\` first`);
      return [main];
    }
    return ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, join(root, 'src/cli/main.ts')];
  }

  private async launch(): Promise<void> {
    const out = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      // DIAMOND_NODE_ARGS: extra node flags for the child (e.g. --cpu-prof when profiling a bench).
      // DIAMOND_WRAPPER: a command the child runs under (e.g. "valgrind --tool=callgrind"); the pid
      // is then the wrapper's, which for valgrind is the process itself.
      const nodeArgs = process.env.DIAMOND_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      const wrapper = process.env.DIAMOND_WRAPPER?.split(' ').filter(Boolean) ?? [];
      const argv = [process.execPath, ...nodeArgs, ...this.command(), 'start', '-c', this.configPath];
      if (wrapper.length > 0) argv.unshift(...wrapper);
      child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out], cwd: this.dir });
    } finally {
      closeSync(out);
    }
    this.child = child;
    this.exited = new Promise((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    child.once('error', () => undefined);
    const bound = this.opts.readyTimeoutMs ?? 20_000;
    const start = Date.now();
    for (;;) {
      if (/ listening on /.test(this.log())) return;
      if (!this.isRunning) throw new Error(`diamond exited before it was ready (${String(child.exitCode ?? child.signalCode)}):\n${this.tail()}\nconfig:\n${this.yaml()}`);
      if (Date.now() - start > bound) throw new Error(`diamond not ready after ${bound} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  cpuSeconds(): number {
    if (this.pid === undefined) throw new Error('diamond was never started');
    return processCpuSeconds(this.pid);
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  tail(lines = 40): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM (DPR to every peer), then SIGKILL after boundMs. */
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

  killNow(): void {
    if (this.isRunning) this.child?.kill('SIGKILL');
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (!process.env.KEEP_FD_LOGS) rmSync(this.dir, { recursive: true, force: true });
  }
}
