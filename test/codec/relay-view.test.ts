import { describe, expect, it } from 'vitest';
import { RelayView, SCAN_INVALID_AVP_LENGTH, SCAN_INVALID_MESSAGE_LENGTH, SCAN_OK, encodeRouteRecord } from '../../src/diameter/codec/relay-view.js';
import { M, PXY, REQ, avp, msg, str, u32 } from '../support/naive-wire.js';

const S6A = 16777251;
const ulr = msg({ flags: REQ | PXY, code: 316, app: S6A, hbh: 0x11223344, e2e: 0x55667788 }, [
  avp(263, M, str('mme.epc.example;1;2;3')),
  avp(260, M, [avp(266, M, u32(10415)), avp(258, M, u32(S6A))]),
  avp(277, M, u32(1)),
  avp(264, M, str('mme.epc.example')),
  avp(296, M, str('epc.example')),
  avp(283, M, str('hss.realm.example')),
  avp(1, M, str('001010123456789')),
  avp(1032, M, u32(1004), 10415),
  avp(282, M, str('dra1.example')),
  avp(282, M, str('DRA2.Example')),
  avp(263, M, str('second session id is ignored')),
]);

describe('RelayView (RFC 6733 §6.1 routing fields without decoding)', () => {
  it('finds the routing AVPs among the top-level AVPs', () => {
    const v = new RelayView();
    expect(v.scan(ulr)).toBe(SCAN_OK);
    expect(v.sessionId).toBe('mme.epc.example;1;2;3');
    expect(v.originHost).toBe('mme.epc.example');
    expect(v.originRealm).toBe('epc.example');
    expect(v.destinationHost).toBeUndefined();
    expect(v.destinationRealm).toBe('hss.realm.example');
    expect(v.userName).toBe('001010123456789');
    expect(v.authApplicationId).toBe(S6A); // from inside Vendor-Specific-Application-Id
    expect(v.acctApplicationId).toBe(-1);
    expect(v.routeRecordCount).toBe(2);
    expect(v.routeRecord(1)).toBe('DRA2.Example');
    expect(v.commandCode).toBe(316);
    expect(v.applicationId).toBe(S6A);
    expect(v.isRequest).toBe(true);
    expect(v.hopByHopId).toBe(0x11223344);
    expect(v.avpCount).toBe(11);
  });

  it('detects our identity in any Route-Record, case-insensitively', () => {
    const v = new RelayView();
    v.scan(ulr);
    expect(v.hasRouteRecord(Buffer.from('dra2.example'))).toBe(true);
    expect(v.hasRouteRecord(Buffer.from('dra1.example'))).toBe(true);
    expect(v.hasRouteRecord(Buffer.from('dra3.example'))).toBe(false);
  });

  it('appends a Route-Record and rewrites hop-by-hop id and flags in place', () => {
    const v = new RelayView();
    v.scan(ulr);
    const out = v.withAppended(encodeRouteRecord('dra3.example'));
    const expected = Buffer.concat([ulr, avp(282, M, str('dra3.example'))]);
    expected.writeUIntBE(expected.length, 1, 3);
    expect(out).toEqual(expected);
    const w = new RelayView();
    expect(w.scan(out)).toBe(SCAN_OK);
    w.setHopByHopId(0xdeadbeef);
    w.setFlags(w.flags | 0x10);
    expect(out.readUInt32BE(12)).toBe(0xdeadbeef);
    expect(out[4]).toBe(REQ | PXY | 0x10);
    expect(w.endToEndId).toBe(0x55667788);
    expect(w.routeRecordCount).toBe(3);
  });

  it('grows its Route-Record table for messages with many hops', () => {
    const many = msg({ flags: REQ, code: 272, app: 4, hbh: 1, e2e: 1 }, Array.from({ length: 100 }, (_, i) => avp(282, M, str(`hop${i}.example`))));
    const v = new RelayView();
    expect(v.scan(many)).toBe(SCAN_OK);
    expect(v.routeRecordCount).toBe(100);
    expect(v.routeRecord(99)).toBe('hop99.example');
  });

  it('ignores vendor AVPs that reuse a base code', () => {
    const m = msg({ flags: REQ, code: 1, app: 1, hbh: 1, e2e: 1 }, [avp(263, M, str('vendor-thing'), 99)]);
    const v = new RelayView();
    v.scan(m);
    expect(v.sessionId).toBeUndefined();
  });

  it('reports framing problems as Result-Codes', () => {
    const v = new RelayView();
    const bad = Buffer.from(ulr);
    bad.writeUIntBE(5000, 25, 3); // Session-Id length runs past the end
    expect(v.scan(bad)).toBe(SCAN_INVALID_AVP_LENGTH);
    expect(v.scan(ulr.subarray(0, 40))).toBe(SCAN_INVALID_MESSAGE_LENGTH);
  });
});
