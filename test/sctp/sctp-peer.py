#!/usr/bin/python3
# An independent SCTP Diameter client for the UML tests, on Python's plain socket module (no
# Diamond code): sends a CER on stream 0, then requests spread over streams 1..K with its own
# sendmsg + SCTP_SNDINFO, and prints one JSON line per message it receives with the stream and
# PPID the kernel reports (SCTP_RCVINFO). With --forever it keeps sending until it is killed.
import argparse, json, socket, struct, sys

IPPROTO_SCTP = 132
SCTP_INITMSG = 2
SCTP_RECVRCVINFO = 32
SCTP_SNDINFO = 2
SCTP_RCVINFO = 3

ap = argparse.ArgumentParser()
ap.add_argument('--host', default='127.0.0.1')
ap.add_argument('--port', type=int, required=True)
ap.add_argument('--cer', required=True)
ap.add_argument('--request', required=True)
ap.add_argument('--count', type=int, default=10)
ap.add_argument('--streams', type=int, default=5)
ap.add_argument('--forever', action='store_true')
a = ap.parse_args()

fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_SCTP)
s.setsockopt(IPPROTO_SCTP, SCTP_INITMSG, struct.pack('=HHHH', 30, 30, 0, 0))
s.setsockopt(IPPROTO_SCTP, SCTP_RECVRCVINFO, 1)
s.connect((a.host, a.port))

def send(msg, sid):
    info = struct.pack('=HHIIi', sid, 0, socket.htonl(46), 0, 0)
    s.sendmsg([msg], [(IPPROTO_SCTP, SCTP_SNDINFO, info)])

def recv():
    data, anc, flags, _ = s.recvmsg(65536, socket.CMSG_SPACE(32))
    if not data:
        print(json.dumps({'event': 'closed'}), flush=True)
        sys.exit(0)
    sid = ppid = None
    for level, typ, d in anc:
        if level == IPPROTO_SCTP and typ == SCTP_RCVINFO:
            sid, _ssn, _fl, ppid = struct.unpack('=HHHxxI', d[:12])
            ppid = socket.ntohl(ppid)
    code = int.from_bytes(data[5:8], 'big')
    print(json.dumps({'event': 'recv', 'sid': sid, 'ppid': ppid, 'code': code, 'flags': data[4],
                      'app': int.from_bytes(data[8:12], 'big'), 'hbh': int.from_bytes(data[12:16], 'big'),
                      'len': len(data), 'dlen': int.from_bytes(data[1:4], 'big'),
                      'eor': bool(flags & socket.MSG_EOR)}), flush=True)
    return data

send(bytes.fromhex(a.cer), 0)
recv()
print(json.dumps({'event': 'open'}), flush=True)
req = bytearray.fromhex(a.request)
i = 0
while a.forever or i < a.count:
    req[12:16] = (i + 1).to_bytes(4, 'big')
    send(bytes(req), 1 + i % a.streams)
    i += 1
    if not a.forever:
        continue
got = 0
while got < a.count:  # a DWR from the node (watchdog) is reported but not counted as an answer
    if int.from_bytes(recv()[5:8], 'big') != 280:
        got += 1
print(json.dumps({'event': 'done'}), flush=True)
