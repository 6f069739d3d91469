// Golden messages, written with the naive wire builder (test/support/naive-wire.ts) straight
// from the specs. `npx tsx scripts/update-golden.ts` writes NAME.hex and the decoded NAME.txt
// beside this file; golden.test.ts checks the bytes still match and the codec still agrees.
import { M, PXY, REQ, V, avp, hex, i32, ipv4, msg, str, u32, u64 } from '../support/naive-wire.js';

const TGPP = 10415;
const S6A = 16777251;
const CX = 16777216;
const SH = 16777217;

const vm = M; // with a vendor given, avp() adds V
const sessionId = avp(263, M, str('mme.epc.mnc001.mcc001.3gppnetwork.org;1700000000;42;app_s6a'));
const originMme = [avp(264, M, str('mme.epc.mnc001.mcc001.3gppnetwork.org')), avp(296, M, str('epc.mnc001.mcc001.3gppnetwork.org'))];
const originHss = [avp(264, M, str('hss.epc.mnc001.mcc001.3gppnetwork.org')), avp(296, M, str('epc.mnc001.mcc001.3gppnetwork.org'))];
const vsai = (app: number): Buffer => avp(260, M, [avp(266, M, u32(TGPP)), avp(258, M, u32(app))]);
const ipv6 = (t: string): Buffer => Buffer.concat([Buffer.from([0, 2]), hex(t)]);

export const golden: Record<string, Buffer> = {
  // RFC 6733 §5.3.1, with an IPv6 Host-IP-Address and in-band security
  cer: msg({ flags: REQ, code: 257, app: 0, hbh: 0x0a0b0c0d, e2e: 0x01020304 }, [
    avp(264, M, str('dra.realm-a.test')),
    avp(296, M, str('realm-a.test')),
    avp(257, M, ipv4('127.0.0.1')),
    avp(257, M, ipv6('20010db8000000000000000000000001')),
    avp(266, M, u32(0)),
    avp(269, 0, str('Diamond')),
    avp(278, M, u32(1700000000)),
    avp(265, M, u32(TGPP)),
    avp(258, M, u32(0xffffffff)),
    avp(299, M, u32(1)),
    vsai(S6A),
    avp(267, 0, u32(1)),
  ]),
  // TS 29.272 §7.2.3 ULR with Terminal-Information and Supported-Features
  ulr: msg({ flags: REQ | PXY, code: 316, app: S6A, hbh: 0x11111111, e2e: 0x22222222 }, [
    sessionId,
    vsai(S6A),
    avp(277, M, u32(1)),
    ...originMme,
    avp(283, M, str('epc.mnc001.mcc001.3gppnetwork.org')),
    avp(1, M, str('001010123456789')),
    avp(628, 0, [avp(266, M, u32(TGPP)), avp(629, 0, u32(1), TGPP), avp(630, 0, u32(0x1c000607), TGPP)], TGPP),
    avp(1401, vm, [avp(1402, vm, str('3534900698733190'), TGPP), avp(1403, vm, str('05'), TGPP)], TGPP),
    avp(1032, vm, u32(1004), TGPP),
    avp(1405, vm, u32(0x22), TGPP),
    avp(1407, vm, hex('00f110'), TGPP),
  ]),
  // A plain ~300-byte ULR as an MME sends it at attach: the relay-view benchmark message
  'ulr-300': msg({ flags: REQ | PXY, code: 316, app: S6A, hbh: 0x11111112, e2e: 0x22222223 }, [
    avp(263, M, str('mme01.epc.mnc001.mcc001.3gppnetwork.org;1;77')),
    vsai(S6A),
    avp(277, M, u32(1)),
    ...originMme,
    avp(283, M, str('epc.mnc001.mcc001.3gppnetwork.org')),
    avp(1, M, str('001010123456789')),
    avp(1032, vm, u32(1004), TGPP),
    avp(1405, vm, u32(0x22), TGPP),
    avp(1407, vm, hex('00f110'), TGPP),
    avp(282, M, str('dra0.epc.mnc001.mcc001.3gppnetwork.org')),
  ]),
  // TS 29.272 §7.2.6 AIA with four E-UTRAN vectors: the decode/encode benchmark message
  'aia-4': msg({ flags: PXY, code: 318, app: S6A, hbh: 0x33333333, e2e: 0x44444444 }, [
    sessionId,
    vsai(S6A),
    avp(268, M, u32(2001)),
    avp(277, M, u32(1)),
    ...originHss,
    avp(
      1413,
      vm,
      [1, 2, 3, 4].map((n) =>
        avp(
          1414,
          vm,
          [
            avp(1419, vm, u32(n), TGPP),
            avp(1447, vm, hex(`${n}`.repeat(32)), TGPP),
            avp(1448, vm, hex('a54211d5e3ba50bf'), TGPP),
            avp(1449, vm, hex(`55f328b43577b9b94a9ffac354dfafb${n}`), TGPP),
            avp(1450, vm, hex('238e457e0f758badbca8d34bb2612c10428d426757cb5553b2b184fa64bfc54' + `${n}`), TGPP),
          ],
          TGPP,
        ),
      ),
      TGPP,
    ),
  ]),
  // TS 29.272 §7.2.4 ULA with Subscription-Data: MSISDN (TBCD), AMBR, one APN with ARP
  ula: msg({ flags: PXY, code: 316, app: S6A, hbh: 0x11111111, e2e: 0x22222222 }, [
    sessionId,
    vsai(S6A),
    avp(268, M, u32(2001)),
    avp(277, M, u32(1)),
    ...originHss,
    avp(1406, vm, u32(1), TGPP),
    avp(
      1400,
      vm,
      [
        avp(701, vm, hex('3316325476f8'), TGPP),
        avp(1424, vm, u32(0), TGPP),
        avp(1417, vm, u32(2), TGPP),
        avp(1435, vm, [avp(516, vm, u32(100000000), TGPP), avp(515, vm, u32(200000000), TGPP)], TGPP),
        avp(
          1429,
          vm,
          [
            avp(1423, vm, u32(1), TGPP),
            avp(1428, vm, u32(0), TGPP),
            avp(
              1430,
              vm,
              [
                avp(1423, vm, u32(1), TGPP),
                avp(1456, vm, u32(0), TGPP),
                avp(493, M, str('internet')),
                avp(1431, vm, [avp(1028, vm, u32(9), TGPP), avp(1034, vm, [avp(1046, vm, u32(8), TGPP), avp(1047, vm, u32(1), TGPP), avp(1048, vm, u32(0), TGPP)], TGPP)], TGPP),
              ],
              TGPP,
            ),
          ],
          TGPP,
        ),
        avp(1619, vm, u32(720), TGPP),
      ],
      TGPP,
    ),
  ]),
  // TS 29.229 §6.1.7 MAA with one Digest-AKAv1-MD5 item
  maa: msg({ flags: PXY, code: 303, app: CX, hbh: 5, e2e: 6 }, [
    avp(263, M, str('scscf.ims.test;1;2')),
    vsai(CX),
    avp(268, M, u32(2001)),
    avp(277, M, u32(1)),
    avp(264, M, str('hss.ims.test')),
    avp(296, M, str('ims.test')),
    avp(1, M, str('001010000000001@ims.test')),
    avp(601, vm, str('sip:001010000000001@ims.test'), TGPP),
    avp(607, vm, u32(1), TGPP),
    avp(
      612,
      vm,
      [
        avp(613, vm, u32(0), TGPP),
        avp(608, vm, str('Digest-AKAv1-MD5'), TGPP),
        avp(609, vm, hex('23553cbe9637a89d218ae64dae47bf3555f328b43577b9b94a9ffac354dfafb3'), TGPP),
        avp(610, vm, hex('a54211d5e3ba50bf'), TGPP),
        avp(625, vm, hex('b40ba9a3c58b2a05bbf0d987b21bf8cb'), TGPP),
        avp(626, vm, hex('f769bcd751044604127672711c6d3441'), TGPP),
      ],
      TGPP,
    ),
  ]),
  // TS 29.329 §6.1.1 UDR for IMS user state and repository data
  udr: msg({ flags: REQ | PXY, code: 306, app: SH, hbh: 7, e2e: 8 }, [
    avp(263, M, str('as.ims.test;9')),
    vsai(SH),
    avp(277, M, u32(1)),
    avp(264, M, str('as.ims.test')),
    avp(296, M, str('ims.test')),
    avp(283, M, str('ims.test')),
    avp(700, vm, [avp(601, vm, str('sip:alice@ims.test'), TGPP)], TGPP),
    avp(703, vm, u32(0), TGPP),
    avp(703, vm, u32(11), TGPP),
    avp(704, vm, str('svc-1'), TGPP),
  ]),
  // RFC 6733 §9.7.1 ACR: Time after the 2036 NTP rollover, Unsigned64, unknown vendor AVP
  'acr-2036': msg({ flags: REQ | PXY, code: 271, app: 3, hbh: 9, e2e: 10 }, [
    avp(263, M, str('pgw.test;7')),
    avp(264, M, str('pgw.test')),
    avp(296, M, str('test')),
    avp(283, M, str('test')),
    avp(480, M, u32(2)),
    avp(485, M, u32(0)),
    avp(287, M, u64(0x0123456789abcdefn)),
    avp(55, M, u32(0x00000010)),
    avp(55, M, u32(0xe1000000)),
    avp(4242, V, i32(-5), 99999),
  ]),
};
