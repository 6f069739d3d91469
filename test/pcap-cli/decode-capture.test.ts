// `diamond decode FILE.pcap|pcapng`, run as a child process: frame numbers, times, addresses and
// trees; JSON with frame/time/src/dst; filters; the committed edge-case captures (out-of-order
// TCP with a retransmission, a truncated file), and one public capture checked against tshark.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapngBuilder } from '../../src/pcap/writer.js';
import { request } from '../replay/traffic.js';
import { diamond } from './cli-run.js';
import { outOfOrderTcp, PCAPS, sctpFragments, truncated } from './edge-captures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'diamond-decode-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ooo = path.join(PCAPS, 'tcp-out-of-order.pcapng');
const cut = path.join(PCAPS, 'truncated.pcapng');
const frag = path.join(PCAPS, 'sctp-fragments.pcapng');

interface JsonOut {
  messages: { frame: number; time: string; src: string; srcPort: number; dst: string; dstPort: number; transport: string; commandCode: number; applicationId: number; flags: { request: boolean }; avps: { name?: string; value?: unknown }[] }[];
}

describe('the committed edge-case captures', () => {
  it('are what edge-captures.ts builds (regenerate with npx tsx test/pcap-cli/edge-captures.ts)', () => {
    expect(readFileSync(ooo).equals(outOfOrderTcp())).toBe(true);
    expect(readFileSync(cut).equals(truncated())).toBe(true);
    expect(readFileSync(frag).equals(sctpFragments())).toBe(true);
  });

  it('reassembles SCTP DATA fragments by TSN, whatever their order in the file', async () => {
    const r = await diamond(['decode', frag, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.messages.map((m) => [m.commandCode, m.flags.request, m.transport])).toEqual([
      [318, true, 'sctp'],
      [318, false, 'sctp'],
      [318, true, 'sctp'],
      [318, false, 'sctp'],
    ]);
    expect(out.messages[0]!.avps.find((a) => a.name === 'User-Name')?.value).toBe('001010000000010');
    if (existsSync('/usr/bin/tshark')) {
      const t = execFileSync('/usr/bin/tshark', ['-r', frag, '-Y', 'diameter', '-T', 'fields', '-e', 'diameter.cmd.code', '-e', 'diameter.flags.request'], { encoding: 'utf8' });
      expect(t.split('\n').filter(Boolean)).toHaveLength(4);
    }
  });
});

describe('diamond decode on captures', () => {
  it('prints frame, time, addresses and tree for each message, reassembling out-of-order TCP', async () => {
    const r = await diamond(['decode', ooo]);
    expect(r.code).toBe(0);
    const heads = r.stdout.split('\n').filter((l) => l.startsWith('frame '));
    expect(heads).toEqual([
      'frame 6 2026-01-01T12:00:00.000000Z 10.0.0.1:40001 -> 10.0.0.2:3868 tcp',
      'frame 8 2026-01-01T12:00:00.005000Z 10.0.0.2:3868 -> 10.0.0.1:40001 tcp',
      'frame 12 2026-01-01T12:00:01.000000Z 10.0.0.1:40001 -> 10.0.0.2:3868 tcp',
      'frame 14 2026-01-01T12:00:01.005000Z 10.0.0.2:3868 -> 10.0.0.1:40001 tcp',
      'frame 17 2026-01-01T12:00:02.000000Z 10.0.0.1:40001 -> 10.0.0.2:3868 tcp',
      'frame 19 2026-01-01T12:00:02.005000Z 10.0.0.2:3868 -> 10.0.0.1:40001 tcp',
    ]);
    expect(r.stdout).toContain('Authentication-Information-Request (AIR) cmd=318 app=16777251 (S6a) flags=RP hbh=0x00000064');
    expect(r.stdout).toContain('  User-Name (1) [M] = "001010000000002"');
    if (existsSync('/usr/bin/tshark')) {
      // tshark agrees once told to reassemble out-of-order segments.
      const t = execFileSync('/usr/bin/tshark', ['-o', 'tcp.reassemble_out_of_order:TRUE', '-r', ooo, '-Y', 'diameter', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
      expect(t.split('\n').filter(Boolean).map(Number)).toEqual([6, 8, 12, 14, 17, 19]);
    }
  });

  it('--json adds frame, time, src, dst (and ports, transport) to each message', async () => {
    const r = await diamond(['decode', ooo, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.messages).toHaveLength(6);
    expect(out.messages[0]).toMatchObject({ frame: 6, time: '2026-01-01T12:00:00.000000Z', src: '10.0.0.1', srcPort: 40001, dst: '10.0.0.2', dstPort: 3868, transport: 'tcp', commandCode: 318, flags: { request: true } });
    expect(out.messages[1]!.avps.find((a) => a.name === 'Result-Code')?.value).toBe(2001);
  });

  it('filters by --session, --cmd and --app', async () => {
    const s = JSON.parse((await diamond(['decode', ooo, '--json', '--session', 'mme.epc.test;1;2'])).stdout) as JsonOut;
    expect(s.messages.map((m) => m.frame)).toEqual([12, 14]);
    const file = path.join(dir, 'mixed.pcapng');
    const b = new PcapngBuilder();
    const t = new Date('2026-02-01T00:00:00Z');
    const ends = { src: '192.0.2.1', srcPort: 50000, dst: '192.0.2.2', dstPort: 3868 };
    b.add({ ...ends, time: t, data: request('AIR', 'a;1;1', '001010000000001') });
    b.add({ ...ends, time: t, data: request('ULR', 'a;1;1', '001010000000001') });
    b.add({ ...ends, time: t, data: request('UAR', 'a;1;2', '001010000000002') });
    writeFileSync(file, b.toBuffer());
    const codes = async (...args: string[]): Promise<number[]> => {
      const r = await diamond(['decode', file, '--json', ...args]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as JsonOut).messages.map((m) => m.commandCode);
    };
    expect(await codes()).toEqual([318, 316, 300]);
    expect(await codes('--cmd', 'ULR')).toEqual([316]);
    expect(await codes('--cmd', 'Update-Location,300')).toEqual([316, 300]);
    expect(await codes('--app', 'Cx')).toEqual([300]);
    expect(await codes('--app', '16777251', '--cmd', 'AIR')).toEqual([318]);
    const bad = await diamond(['decode', file, '--app', 'NoSuchApp']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: --app: no application "NoSuchApp"/);
  });

  it('a truncated file prints what was read, then names the record, exit 1', async () => {
    const r = await diamond(['decode', cut]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('frame '))).toEqual([
      'frame 6 2026-01-01T12:00:00.000000Z 10.0.0.1:40001 -> 10.0.0.2:3868 tcp',
      'frame 8 2026-01-01T12:00:00.005000Z 10.0.0.2:3868 -> 10.0.0.1:40001 tcp',
    ]);
    expect(r.stderr.trim()).toBe(`error: ${cut}: pcapng block 12 at byte offset 1212: block of type 0x6 claims 188 bytes, only 40 left in the file (read before it: 9 frames, 2 messages printed)`);
    const j = await diamond(['decode', cut, '--json']);
    expect(j.code).toBe(1);
    expect((JSON.parse(j.stdout) as JsonOut).messages).toHaveLength(2);
  });

  const shared = path.resolve(import.meta.dirname, '../../../shared/pcaps-public');
  it.runIf(existsSync(shared))('a public SCTP capture: the messages tshark lists, in its order (skipped without ../shared)', async () => {
    const file = path.join(shared, 'open5gs-testattach.pcapng');
    const r = await diamond(['decode', file, '--json']);
    expect(r.code).toBe(0);
    const tsv = readFileSync(path.join(shared, 'tshark-fields', 'open5gs-testattach.pcapng.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
    const ours = (JSON.parse(r.stdout) as JsonOut).messages;
    expect(ours.map((m) => m.frame)).toEqual(tsv.map((row) => Number(row[0])));
    expect(ours.some((m) => m.transport === 'sctp')).toBe(true);
  });
});
