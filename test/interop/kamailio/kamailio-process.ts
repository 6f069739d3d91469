// A real Kamailio S-CSCF (Debian's kamailio + kamailio-ims-modules + kamailio-presence-modules)
// for the interop test: kamailio.cfg and cdp.xml from the templates beside this file, filled in
// and written to a mkdtemp directory that is also its runtime dir; runs in the foreground (-DD),
// logging to stderr (-E) into a file, SIP on UDP 127.0.0.1 only, no database. Stopped by PID.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const KAMAILIO = process.env.KAMAILIO ?? '/usr/sbin/kamailio';
/** The Rel-7 Cx User-Data schema ims_registrar_scscf validates SAA User-Data against (shipped with the kamailio package). */
export const USER_DATA_XSD = process.env.KAMAILIO_CX_XSD ?? '/usr/share/doc/kamailio/examples/ims/scscf/CxDataType_Rel7.xsd';

/** The module directory Kamailio searches by default (`kamailio -h`: "-L path ... (default: DIR)"). */
export function kamailioModuleDir(): string | undefined {
  try {
    const help = execFileSync(KAMAILIO, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /-L path.*\(default: ([^)]+)\)/.exec(help)?.[1]?.trim();
  } catch (err) {
    // kamailio -h exits non-zero on some versions but still prints the help.
    const e = err as { stdout?: string; stderr?: string };
    return /-L path.*\(default: ([^)]+)\)/.exec(`${e.stdout ?? ''}${e.stderr ?? ''}`)?.[1]?.trim();
  }
}

/** Why the Kamailio test cannot run here, or undefined when everything it needs is installed. */
export function kamailioMissing(): string | undefined {
  if (!existsSync(KAMAILIO)) return `kamailio is not installed (${KAMAILIO}); apt-get install kamailio kamailio-ims-modules kamailio-presence-modules`;
  const dir = kamailioModuleDir();
  if (!dir) return `cannot find Kamailio's module directory from \`${KAMAILIO} -h\``;
  if (!existsSync(join(dir, 'ims_auth.so'))) return `Kamailio IMS modules are not installed (${dir}/ims_auth.so); apt-get install kamailio-ims-modules`;
  if (!existsSync(join(dir, 'presence.so'))) return `Kamailio presence module is not installed (${dir}/presence.so); apt-get install kamailio-presence-modules`;
  if (!existsSync(USER_DATA_XSD)) return `the Cx User-Data schema is missing (${USER_DATA_XSD}; shipped with the kamailio package)`;
  return undefined;
}

export interface KamailioOptions {
  sipPort: number;
  /** cdp's own identity (Origin-Host) and realm. */
  identity: string;
  realm: string;
  /** The S-CSCF SIP URI: Server-Name in MAR and SAR. */
  scscfUri: string;
  hss: { address: string; port: number; realm: string };
  /** Kamailio's debug level (2 info, 3 debug); KAMAILIO_DEBUG overrides. */
  debug?: number;
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`template placeholder ${whole} has no value`);
    return String(v);
  });
}

// Whatever happens to the test run, no process of ours outlives it.
const running = new Set<Kamailio>();
process.once('exit', () => {
  for (const p of running) p.killNow();
});

export class Kamailio {
  readonly dir: string;
  readonly logPath: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly opts: KamailioOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'diamond-kamailio-'));
    this.logPath = join(this.dir, 'kamailio.log');
  }

  static async start(opts: KamailioOptions): Promise<Kamailio> {
    const k = new Kamailio(opts);
    try {
      k.launch();
      await k.waitFor(/CDiameterPeer child started/, 'Kamailio started', 15_000);
      return k;
    } catch (err) {
      await k.dispose();
      throw err;
    }
  }

  private launch(): void {
    const o = this.opts;
    const run = join(this.dir, 'run');
    mkdirSync(run);
    const cdpXml = join(this.dir, 'cdp.xml');
    const cfg = join(this.dir, 'kamailio.cfg');
    const values = {
      DEBUG: Number(process.env.KAMAILIO_DEBUG ?? o.debug ?? 2),
      SIP_PORT: o.sipPort,
      SCSCF_HOST: o.identity,
      SCSCF_REALM: o.realm,
      SCSCF_URI: o.scscfUri,
      MODULE_DIR: kamailioModuleDir() ?? '',
      CDP_XML: cdpXml,
      HSS_ADDRESS: o.hss.address,
      HSS_PORT: o.hss.port,
      HSS_REALM: o.hss.realm,
      USER_DATA_XSD,
    };
    writeFileSync(cdpXml, fill(readFileSync(join(HERE, 'cdp.xml'), 'utf8'), values));
    writeFileSync(cfg, fill(readFileSync(join(HERE, 'kamailio.cfg'), 'utf8'), values));
    const out = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      // -DD: stay in the foreground (the children are still forked); -E: log to stderr.
      child = spawn(KAMAILIO, ['-f', cfg, '-DD', '-E', '-Y', run, '-P', join(run, 'kamailio.pid'), '-w', this.dir, '-m', '64', '-M', '8'], {
        stdio: ['ignore', out, out],
        cwd: this.dir,
      });
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

  tail(lines = 80): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  /** Resolves when the log matches `re`; rejects if Kamailio exits or after timeoutMs. */
  async waitFor(re: RegExp, what: string, timeoutMs = 10_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      if (re.test(this.log())) return;
      if (!this.isRunning) throw new Error(`kamailio exited while waiting for ${what}:\n${this.tail()}`);
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM to the main process (it stops its children), SIGKILL after boundMs. */
  /** SIGTERM, not SIGKILL: Kamailio's main process then stops its forked children itself. */
  killNow(): void {
    if (this.isRunning) this.child?.kill('SIGTERM');
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
