// The run-time dictionary: every loaded file compiled into one namespace of AVPs and commands.
// Lookups on the decode path are by (vendor-id, code) and by (application-id, command-code).
import { ErrorCode, FileError, type SourcePos } from '../../errors.js';
import {
  AvpFlag,
  type ApplicationDef,
  type AvpDef,
  type CommandDef,
  type Grammar,
  type GrammarRule,
  type MessageDef,
} from './model.js';
import type { DictFileAst, RuleAst } from './parser.js';

export interface CompileResult {
  dictionary: Dictionary;
  errors: FileError[];
}

export class Dictionary {
  /** vendor-id -> code -> definition */
  private readonly byVendor = new Map<number, Map<number, AvpDef>>();
  private readonly byName = new Map<string, AvpDef>();
  /** `${applicationId}:${code}` -> command */
  private readonly commands = new Map<string, CommandDef>();
  private readonly commandsByCode = new Map<number, CommandDef[]>();
  private readonly messagesByName = new Map<string, MessageDef[]>();
  readonly applications = new Map<number, ApplicationDef>();
  readonly files: string[] = [];

  avp(code: number, vendorId: number): AvpDef | undefined {
    return this.byVendor.get(vendorId)?.get(code);
  }

  avpByName(name: string): AvpDef | undefined {
    return this.byName.get(name);
  }

  allAvps(): IterableIterator<AvpDef> {
    return this.byName.values();
  }

  allCommands(): IterableIterator<CommandDef> {
    return this.commands.values();
  }

  /** The command of this application, or a base (application 0) command of that code. */
  command(applicationId: number, code: number): CommandDef | undefined {
    return this.commands.get(`${applicationId}:${code}`) ?? this.commands.get(`0:${code}`);
  }

  /** Any command with this code, for display of messages of unknown applications. */
  anyCommand(code: number): CommandDef | undefined {
    return this.commandsByCode.get(code)?.[0];
  }

  message(applicationId: number, code: number, request: boolean): MessageDef | undefined {
    const cmd = this.command(applicationId, code);
    return request ? cmd?.request : cmd?.answer;
  }

  /** A message by short name (ULR); `applicationId` picks among homonyms (S6a PUR vs Sh PUR). */
  messageByName(name: string, applicationId?: number): MessageDef | undefined {
    const all = this.messagesByName.get(name);
    if (!all) return undefined;
    if (applicationId === undefined) return all[0];
    return all.find((m) => m.applicationId === applicationId);
  }

  /** Display name of an enum value; prefers the name given by the message's application. */
  enumName(def: AvpDef, value: number, applicationId?: number): string | undefined {
    const names = def.enumNames.get(value);
    if (!names || names.length === 0) return undefined;
    if (applicationId !== undefined) {
      const own = names.find((n) => n.applicationId === applicationId);
      if (own) return own.name;
    }
    return names[0]?.name;
  }

  /** Compiles parsed files into one dictionary. Files are ordered by @inherits. */
  static compile(files: DictFileAst[]): CompileResult {
    const dict = new Dictionary();
    const errors: FileError[] = [];
    const semantic = (pos: SourcePos, message: string): void => {
      errors.push(new FileError(ErrorCode.DICT_SEMANTIC, pos, message));
    };
    const ordered = orderByInherits(files, semantic);
    for (const f of ordered) dict.files.push(f.path);

    // Pass 1: AVPs, applications, commands.
    for (const f of ordered) {
      if (f.application) {
        const prior = dict.applications.get(f.application.id);
        if (prior) semantic(f.application.pos, `application ${f.application.id} is already defined by ${prior.file}`);
        else dict.applications.set(f.application.id, { id: f.application.id, name: f.application.name, file: f.path });
      }
      for (const row of f.avps) {
        let vendorId = 0;
        if (row.vendor !== '-') {
          const v = /^\d+$/.test(row.vendor) ? Number(row.vendor) : f.vendors.get(row.vendor);
          if (v === undefined) {
            semantic(row.pos, `unknown vendor "${row.vendor}"; declare it with @vendor ID NAME`);
            continue;
          }
          vendorId = v;
        }
        let flags = 0;
        for (const ch of row.flags) {
          if (ch === 'M') flags |= AvpFlag.M;
          else if (ch === 'V') flags |= AvpFlag.V;
          else if (ch === 'P') flags |= AvpFlag.P;
        }
        if ((vendorId !== 0) !== ((flags & AvpFlag.V) !== 0)) {
          semantic(row.pos, `AVP ${row.name}: the V flag must be set exactly when a vendor is given`);
          continue;
        }
        const prior = dict.byName.get(row.name);
        if (prior) {
          semantic(row.pos, `AVP ${row.name} is already defined at ${prior.pos.file}:${prior.pos.line}`);
          continue;
        }
        const clash = dict.avp(row.code, vendorId);
        if (clash) {
          semantic(row.pos, `AVP code ${row.code} vendor ${vendorId} is already defined as ${clash.name} at ${clash.pos.file}:${clash.pos.line}`);
          continue;
        }
        const def: AvpDef = {
          name: row.name,
          code: row.code,
          vendorId,
          flags,
          type: row.type,
          enumNames: new Map(),
          enumValues: new Map(),
          grammar: undefined,
          pos: row.pos,
        };
        dict.byName.set(def.name, def);
        let codes = dict.byVendor.get(vendorId);
        if (!codes) dict.byVendor.set(vendorId, (codes = new Map()));
        codes.set(def.code, def);
      }
      const appId = f.application?.id ?? 0;
      for (const c of f.commands) {
        const key = `${appId}:${c.code}`;
        if (dict.commands.has(key)) {
          semantic(c.pos, `command ${c.code} of application ${appId} is already defined`);
          continue;
        }
        const cmd: CommandDef = {
          code: c.code,
          name: c.name,
          applicationId: appId,
          requestName: c.requestName,
          answerName: c.answerName,
          request: undefined,
          answer: undefined,
        };
        dict.commands.set(key, cmd);
        const list = dict.commandsByCode.get(c.code) ?? [];
        list.push(cmd);
        dict.commandsByCode.set(c.code, list);
      }
    }

    // Pass 2: enums, grouped grammars, message grammars (names may come from any loaded file).
    for (const f of ordered) {
      const appId = f.application?.id;
      for (const e of f.enums) {
        const def = dict.byName.get(e.avpName);
        if (!def) {
          semantic(e.pos, `@enum for unknown AVP "${e.avpName}"`);
          continue;
        }
        if (!['Enumerated', 'Unsigned32', 'Integer32', 'Unsigned64', 'Integer64'].includes(def.type)) {
          semantic(e.pos, `@enum for AVP ${def.name} of type ${def.type}; expected an integer type`);
          continue;
        }
        for (const v of e.values) {
          const names = def.enumNames.get(v.value) ?? [];
          if (!names.some((n) => n.name === v.name)) names.push({ name: v.name, applicationId: appId });
          def.enumNames.set(v.value, names);
          const prior = def.enumValues.get(v.name);
          if (prior !== undefined && prior !== v.value) {
            semantic(v.pos, `${def.name} value name ${v.name} is already ${prior}`);
          } else def.enumValues.set(v.name, v.value);
        }
      }
      for (const g of f.grouped) {
        const def = dict.byName.get(g.name);
        if (!def) {
          semantic(g.pos, `grouped AVP "${g.name}" is not in any @avp table`);
          continue;
        }
        if (def.type !== 'Grouped') semantic(g.pos, `AVP ${g.name} has type ${def.type}, not Grouped`);
        if (def.code !== g.code || def.vendorId !== (g.vendorId ?? 0)) {
          semantic(g.pos, `AVP Header ${g.code} ${g.vendorId ?? 0} does not match ${def.name} (${def.code}, vendor ${def.vendorId})`);
        }
        if (def.grammar) semantic(g.pos, `grouped AVP ${g.name} already has a grammar`);
        def.grammar = resolveGrammar(g.rules, dict, semantic);
      }
      for (const m of f.messages) {
        const appIdOf = m.applicationId ?? appId ?? 0;
        const cmd = dict.commands.get(`${appIdOf}:${m.code}`);
        if (!cmd) {
          semantic(m.pos, `message ${m.name}: command ${m.code} of application ${appIdOf} is not in a @commands table`);
          continue;
        }
        const expected = m.request ? cmd.requestName : cmd.answerName;
        if (m.name !== expected) {
          semantic(m.pos, `message ${m.name}: the ${m.request ? 'request' : 'answer'} of command ${m.code} is named ${expected}`);
          continue;
        }
        const msg: MessageDef = {
          name: m.name,
          commandCode: m.code,
          applicationId: appIdOf,
          request: m.request,
          proxiable: m.proxiable,
          error: m.error,
          grammar: resolveGrammar(m.rules, dict, semantic),
          pos: m.pos,
        };
        if (m.request) cmd.request = msg;
        else cmd.answer = msg;
        const list = dict.messagesByName.get(m.name) ?? [];
        list.push(msg);
        dict.messagesByName.set(m.name, list);
      }
    }
    for (const def of dict.byName.values()) {
      if (def.type === 'Grouped' && !def.grammar) {
        semantic(def.pos, `grouped AVP ${def.name} has no grammar in any @grouped section`);
      }
    }
    return { dictionary: dict, errors };
  }
}

function resolveGrammar(
  rules: RuleAst[],
  dict: Dictionary,
  semantic: (pos: SourcePos, message: string) => void,
): Grammar {
  const out: GrammarRule[] = [];
  let anyAvp = false;
  for (const r of rules) {
    if (r.name === 'AVP') {
      anyAvp = true;
      continue;
    }
    const def = dict.avpByName(r.name);
    if (!def) semantic(r.pos, `unknown AVP "${r.name}" in grammar`);
    out.push({ name: r.name, kind: r.kind, min: r.min, max: r.max, def, pos: r.pos });
  }
  return { rules: out, anyAvp };
}

function orderByInherits(
  files: DictFileAst[],
  semantic: (pos: SourcePos, message: string) => void,
): DictFileAst[] {
  const byName = new Map<string, DictFileAst>();
  for (const f of files) {
    if (f.name === undefined) continue;
    if (byName.has(f.name)) semantic({ file: f.path, line: 1, col: 1 }, `dictionary name "${f.name}" is used twice`);
    byName.set(f.name, f);
  }
  const out: DictFileAst[] = [];
  const state = new Map<DictFileAst, 'visiting' | 'done'>();
  const visit = (f: DictFileAst): void => {
    const s = state.get(f);
    if (s === 'done') return;
    if (s === 'visiting') {
      semantic({ file: f.path, line: 1, col: 1 }, `@inherits cycle through "${f.name ?? f.path}"`);
      return;
    }
    state.set(f, 'visiting');
    for (const parent of f.inherits) {
      const p = byName.get(parent);
      if (!p) semantic({ file: f.path, line: 1, col: 1 }, `@inherits "${parent}": no dictionary of that name is loaded`);
      else visit(p);
    }
    state.set(f, 'done');
    out.push(f);
  };
  for (const f of files) visit(f);
  return out;
}
