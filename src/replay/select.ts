// Which messages a command looks at: `--app`, `--cmd` (decode) and `--select` (replay). Names come
// from the dictionary, so `S6a`, `16777251`, `ULR`, `Update-Location` and `316` all work.
import { DiamondError, ErrorCode } from '../errors.js';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';

/** RFC 6733 applications that no dictionary file declares. */
const BASE_APPLICATIONS: Record<string, number> = { base: 0, 'base-accounting': 3, relay: 0xffffffff };

/** An application by id or by name (case-insensitive); throws naming the option and the value. */
export function resolveApplication(dict: Dictionary, text: string, option: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const base = BASE_APPLICATIONS[t.toLowerCase()];
  if (base !== undefined) return base;
  for (const app of dict.applications.values()) if (app.name.toLowerCase() === t.toLowerCase()) return app.id;
  const known = [...dict.applications.values()].map((a) => a.name).join(', ');
  throw new DiamondError(ErrorCode.CLI_INPUT, `${option}: no application "${t}" (give an id or one of: Base, ${known})`);
}

/** A command code by number, long name (Update-Location) or short name (ULR, ULA). */
export function resolveCommand(dict: Dictionary, text: string, option: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const short = dict.messageByName(t.toUpperCase()) ?? dict.messageByName(t);
  if (short) return short.commandCode;
  const lower = t.toLowerCase().replace(/-(request|answer)$/, '');
  for (const c of dict.allCommands()) if (c.name.toLowerCase() === lower) return c.code;
  throw new DiamondError(ErrorCode.CLI_INPUT, `${option}: no command "${t}" (give a code, a name such as Update-Location, or ULR)`);
}

/** One accepted (application, command) pair; undefined fields match anything. */
interface Rule {
  readonly app: number | undefined;
  readonly cmd: number | undefined;
}

/** A set of rules: a message passes when any rule matches (an empty selector passes everything). */
export class MessageSelector {
  private readonly rules: Rule[];
  constructor(rules: Rule[] = []) {
    this.rules = rules;
  }

  get isEmpty(): boolean {
    return this.rules.length === 0;
  }

  matches(applicationId: number, commandCode: number): boolean {
    if (this.rules.length === 0) return true;
    for (const r of this.rules) {
      if ((r.app === undefined || r.app === applicationId) && (r.cmd === undefined || r.cmd === commandCode)) return true;
    }
    return false;
  }

  /** `--app A,B` and `--cmd C,D` of decode: both given means app in A,B and cmd in C,D. */
  static fromAppsAndCommands(dict: Dictionary, apps: string[], cmds: string[]): MessageSelector {
    const a = apps.flatMap((s) => s.split(',')).filter((s) => s.trim() !== '').map((s) => resolveApplication(dict, s, '--app'));
    const c = cmds.flatMap((s) => s.split(',')).filter((s) => s.trim() !== '').map((s) => resolveCommand(dict, s, '--cmd'));
    const rules: Rule[] = [];
    for (const app of a.length > 0 ? a : [undefined]) for (const cmd of c.length > 0 ? c : [undefined]) rules.push({ app, cmd });
    return new MessageSelector(a.length === 0 && c.length === 0 ? [] : rules);
  }

  /**
   * `--select` items, comma separated: `APP` (every command of it), `APP:CMD` or `:CMD` (that
   * command in any application). Example: `S6a:AIR,S6a:ULR,Cx`.
   */
  static parse(dict: Dictionary, items: string[]): MessageSelector {
    const rules: Rule[] = [];
    for (const item of items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
      const colon = item.indexOf(':');
      if (colon < 0) rules.push({ app: resolveApplication(dict, item, '--select'), cmd: undefined });
      else {
        const appText = item.slice(0, colon);
        rules.push({
          app: appText === '' ? undefined : resolveApplication(dict, appText, '--select'),
          cmd: resolveCommand(dict, item.slice(colon + 1), '--select'),
        });
      }
    }
    return new MessageSelector(rules);
  }
}
