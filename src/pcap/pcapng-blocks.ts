// Encodes the three pcapng blocks the writer needs (draft-ietf-opsawg-pcapng §4.1 SHB, §4.2 IDB,
// §4.3 EPB), little-endian, timestamps in nanoseconds (if_tsresol = 9).
import {
  BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC, OPT_ENDOFOPT, OPT_IF_TSRESOL,
} from './pcapng-file.js';
import type { PcapTime } from './timestamp.js';

const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function option(code: number, value: Buffer): Buffer {
  const b = Buffer.alloc(4 + pad4(value.length));
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(value.length, 2);
  value.copy(b, 4);
  return b;
}

function block(type: number, body: Buffer[]): Buffer {
  const bodyLen = body.reduce((n, b) => n + b.length, 0);
  const len = 12 + bodyLen;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(len, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(len, 0);
  return Buffer.concat([head, ...body, tail], len);
}

const END_OF_OPTIONS = option(OPT_ENDOFOPT, Buffer.alloc(0));

export function sectionHeaderBlock(application: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4); // major version
  fixed.writeUInt16LE(0, 6); // minor version
  fixed.writeInt32LE(-1, 8); // section length not given (-1 as 64 bits)
  fixed.writeInt32LE(-1, 12);
  return block(BLOCK_SHB, [fixed, option(OPT_SHB_USERAPPL, Buffer.from(application, 'utf8')), END_OF_OPTIONS]);
}

export function interfaceDescriptionBlock(linkType: number, name: string): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(linkType, 0);
  fixed.writeUInt32LE(0, 4); // snaplen 0: no limit
  return block(BLOCK_IDB, [
    fixed,
    option(OPT_IF_NAME, Buffer.from(name, 'utf8')),
    option(OPT_IF_TSRESOL, Buffer.from([9])),
    END_OF_OPTIONS,
  ]);
}

export function enhancedPacketBlock(time: PcapTime, packet: Buffer): Buffer {
  const fixed = Buffer.alloc(20);
  const ns = BigInt(time.seconds) * 1_000_000_000n + BigInt(time.nanos);
  fixed.writeUInt32LE(0, 0); // interface 0
  fixed.writeUInt32LE(Number(ns >> 32n), 4);
  fixed.writeUInt32LE(Number(ns & 0xffffffffn), 8);
  fixed.writeUInt32LE(packet.length, 12);
  fixed.writeUInt32LE(packet.length, 16);
  const padding = Buffer.alloc(pad4(packet.length) - packet.length);
  return block(BLOCK_EPB, [fixed, packet, padding]);
}
