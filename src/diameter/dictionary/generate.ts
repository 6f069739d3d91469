// Renders typed TypeScript constants from a compiled dictionary, so code reads like the spec:
// Avp.SubscriptionData, Cmd.UpdateLocation, App.S6a, Result.DIAMETER_ERROR_USER_UNKNOWN.
import type { Dictionary } from './dictionary.js';

export const GENERATED_HEADER =
  '// generated — do not edit. Made by `npm run gen` (scripts/generate-constants.ts) from dictionaries/*.dict.\n';

/** "Session-Id" -> "SessionId"; "3GPP-IMSI" -> "ThreeGppImsi"-style identifiers. */
export function pascalCase(name: string): string {
  const s = name
    .replace(/^3GPP/i, 'ThreeGpp-')
    .split(/[-_.\s]+/)
    .filter(Boolean)
    .map((w) => (w === w.toUpperCase() && w.length > 1 ? w[0] + w.slice(1).toLowerCase() : w[0]?.toUpperCase() + w.slice(1)))
    .join('');
  return /^\d/.test(s) ? `N${s}` : s;
}

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

export function renderConstants(dict: Dictionary): string {
  const lines: string[] = [GENERATED_HEADER];

  lines.push('/** Application ids. */', 'export const App = {', '  Base: 0,');
  const apps = [...dict.applications.values()].sort((a, b) => a.id - b.id);
  for (const a of apps) lines.push(`  ${key(pascalCase(a.name))}: ${a.id},`);
  lines.push('  Relay: 0xffffffff,', '} as const;', '');

  lines.push('/** AVP identities (code, vendor-id). */', 'export const Avp = {');
  const avps = [...dict.allAvps()].sort((a, b) => a.name.localeCompare(b.name));
  for (const a of avps) lines.push(`  ${key(pascalCase(a.name))}: { code: ${a.code}, vendorId: ${a.vendorId} },`);
  lines.push('} as const;', '');

  lines.push('/** Command codes. */', 'export const Cmd = {');
  const seen = new Map<string, number>();
  const cmds = [...dict.allCommands()].sort((a, b) => a.code - b.code || a.applicationId - b.applicationId);
  for (const c of cmds) {
    let k = pascalCase(c.name);
    const prior = seen.get(k);
    if (prior === c.code) continue;
    if (prior !== undefined) k = `${k}${pascalCase(dict.applications.get(c.applicationId)?.name ?? String(c.applicationId))}`;
    seen.set(k, c.code);
    lines.push(`  ${key(k)}: ${c.code},`);
  }
  lines.push('} as const;', '');

  lines.push('/** Result-Code and Experimental-Result-Code values by name. */', 'export const Result = {');
  const results = new Map<string, number>();
  for (const name of ['Result-Code', 'Experimental-Result-Code']) {
    const def = dict.avpByName(name);
    if (!def) continue;
    for (const [n, v] of [...def.enumValues].sort((a, b) => a[1] - b[1])) if (!results.has(n)) results.set(n, v);
  }
  for (const [n, v] of results) lines.push(`  ${key(n)}: ${v},`);
  lines.push('} as const;', '');

  lines.push('/** Enumerated values by AVP. */', 'export const Enum = {');
  for (const a of avps) {
    if (a.enumValues.size === 0 || a.name === 'Result-Code' || a.name === 'Experimental-Result-Code') continue;
    lines.push(`  ${key(pascalCase(a.name))}: {`);
    for (const [n, v] of [...a.enumValues].sort((x, y) => x[1] - y[1])) lines.push(`    ${key(n)}: ${v},`);
    lines.push('  },');
  }
  lines.push('} as const;', '');
  return lines.join('\n');
}
