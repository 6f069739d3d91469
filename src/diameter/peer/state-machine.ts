// RFC 6733 §5.6 peer state machine, as a pure function: transition(context, event) returns the
// next context and the actions for the driver (peer.ts) to perform. Each case below sits under
// the table row it implements. "I" is the connection we initiated, "R" the one the peer opened.
//
// Where the RFC says "Elect" (§5.6.4) the election is decided inline from `weWin` (carried by
// R-Conn-CER: our Origin-Host is the greater, case-insensitively). A winner applies the
// Wait-Returns/Win-Election row at once; a loser also answers the peer's CER with CEA 4003
// ELECTION_LOST, as freeDiameter does, and keeps waiting for the CEA on its own connection.

export type PeerStateName =
  | 'Closed'
  | 'Wait-Conn-Ack'
  | 'Wait-I-CEA'
  | 'Wait-Conn-Ack/Elect'
  | 'Wait-Returns'
  | 'R-Open'
  | 'I-Open'
  | 'Closing';

export type Side = 'I' | 'R';

export interface PeerContext {
  state: PeerStateName;
  /** Election outcome, recorded when the peer's CER arrives while we are connecting. */
  weWin: boolean;
}

export type PeerEvent =
  | { type: 'Start' }
  | { type: 'Stop' }
  | { type: 'Timeout' }
  | { type: 'I-Rcv-Conn-Ack' }
  | { type: 'I-Rcv-Conn-Nack' }
  /** A CER arrived on a new connection and passed Process-CER. */
  | { type: 'R-Conn-CER'; weWin: boolean }
  /** CEA on our connection; ok = Process-CEA succeeded. */
  | { type: 'I-Rcv-CEA'; ok: boolean }
  | { type: 'I-Rcv-Non-CEA' }
  | { type: 'Peer-Disc'; side: Side }
  | { type: 'Rcv-Message'; side: Side }
  | { type: 'Rcv-DWR'; side: Side }
  | { type: 'Rcv-DWA'; side: Side }
  | { type: 'Rcv-DPR'; side: Side }
  | { type: 'Rcv-DPA'; side: Side }
  | { type: 'Send-Message' }
  | { type: 'Win-Election' };

export type PeerAction =
  /** I-Snd-Conn-Req: open our connection. */
  | { do: 'connect' }
  /** I-Snd-CER */
  | { do: 'send-cer' }
  /** R-Accept: adopt the offered connection as R. */
  | { do: 'accept' }
  /** R-Snd-CEA with this Result-Code (2001, or 4003 when we lost the election). */
  | { do: 'send-cea'; resultCode: number }
  /** R-Reject: refuse a further offered connection (CEA 4003, then close it). */
  | { do: 'reject' }
  /** I-Disc / R-Disc */
  | { do: 'disconnect'; side: Side }
  | { do: 'send-dpr'; side: Side }
  | { do: 'send-dpa'; side: Side }
  | { do: 'send-dwa'; side: Side }
  /** Process-DWA: feed the watchdog. */
  | { do: 'process-dwa'; side: Side }
  /** Process: hand a message up. */
  | { do: 'deliver'; side: Side }
  /** Snd-Message on the open connection. */
  | { do: 'send'; side: Side }
  /** The peer is now open on this connection. */
  | { do: 'opened'; side: Side }
  /** Error / Cleanup: close everything; the peer is down. */
  | { do: 'cleanup'; reason: string };

export interface Transition {
  context: PeerContext;
  actions: PeerAction[];
}

export const DIAMETER_SUCCESS = 2001;
export const DIAMETER_ELECTION_LOST = 4003;

const to = (state: PeerStateName, actions: PeerAction[], weWin = false): Transition => ({
  context: { state, weWin },
  actions,
});

/** Win-Election in Wait-Returns: I-Disc, R-Snd-CEA -> R-Open. */
const winElection = (): Transition =>
  to('R-Open', [{ do: 'disconnect', side: 'I' }, { do: 'send-cea', resultCode: DIAMETER_SUCCESS }, { do: 'opened', side: 'R' }]);

export function initialContext(): PeerContext {
  return { state: 'Closed', weWin: false };
}

export function transition(ctx: PeerContext, ev: PeerEvent): Transition {
  const same = (actions: PeerAction[] = []): Transition => ({ context: ctx, actions });
  switch (ctx.state) {
    case 'Closed':
      switch (ev.type) {
        // Closed  Start  I-Snd-Conn-Req  Wait-Conn-Ack
        case 'Start':
          return to('Wait-Conn-Ack', [{ do: 'connect' }]);
        // Closed  R-Conn-CER  R-Accept, Process-CER, R-Snd-CEA  R-Open
        case 'R-Conn-CER':
          return to('R-Open', [{ do: 'accept' }, { do: 'send-cea', resultCode: DIAMETER_SUCCESS }, { do: 'opened', side: 'R' }]);
        default:
          return same();
      }

    case 'Wait-Conn-Ack':
      switch (ev.type) {
        // Wait-Conn-Ack  I-Rcv-Conn-Ack  I-Snd-CER  Wait-I-CEA
        case 'I-Rcv-Conn-Ack':
          return to('Wait-I-CEA', [{ do: 'send-cer' }]);
        // Wait-Conn-Ack  I-Rcv-Conn-Nack  Cleanup  Closed
        case 'I-Rcv-Conn-Nack':
          return to('Closed', [{ do: 'cleanup', reason: 'connection refused or failed' }]);
        // Wait-Conn-Ack  R-Conn-CER  R-Accept, Process-CER  Wait-Conn-Ack/Elect
        case 'R-Conn-CER':
          return to('Wait-Conn-Ack/Elect', [{ do: 'accept' }], ev.weWin);
        // Wait-Conn-Ack  Timeout  Error  Closed
        case 'Timeout':
          return to('Closed', [{ do: 'cleanup', reason: 'timeout waiting for the connection' }]);
        case 'Stop':
          return to('Closed', [{ do: 'cleanup', reason: 'stopped' }]);
        default:
          return same();
      }

    case 'Wait-I-CEA':
      switch (ev.type) {
        // Wait-I-CEA  I-Rcv-CEA  Process-CEA  I-Open
        case 'I-Rcv-CEA':
          return ev.ok
            ? to('I-Open', [{ do: 'opened', side: 'I' }])
            : to('Closed', [{ do: 'cleanup', reason: 'CEA refused the capabilities exchange' }]);
        // Wait-I-CEA  R-Conn-CER  R-Accept, Process-CER, Elect  Wait-Returns
        case 'R-Conn-CER':
          if (ev.weWin) return { context: winElection().context, actions: [{ do: 'accept' }, ...winElection().actions] };
          return to('Wait-Returns', [{ do: 'accept' }, { do: 'send-cea', resultCode: DIAMETER_ELECTION_LOST }], false);
        // Wait-I-CEA  I-Peer-Disc  I-Disc  Closed
        case 'Peer-Disc':
          return ev.side === 'I' ? to('Closed', [{ do: 'disconnect', side: 'I' }, { do: 'cleanup', reason: 'peer closed the connection before CEA' }]) : same();
        // Wait-I-CEA  I-Rcv-Non-CEA  Error  Closed
        case 'I-Rcv-Non-CEA':
          return to('Closed', [{ do: 'cleanup', reason: 'a message other than CEA arrived before CEA' }]);
        // Wait-I-CEA  Timeout  Error  Closed
        case 'Timeout':
          return to('Closed', [{ do: 'cleanup', reason: 'timeout waiting for CEA' }]);
        case 'Stop':
          return to('Closed', [{ do: 'cleanup', reason: 'stopped' }]);
        default:
          return same();
      }

    case 'Wait-Conn-Ack/Elect':
      switch (ev.type) {
        // Wait-Conn-Ack/Elect  I-Rcv-Conn-Ack  I-Snd-CER, Elect  Wait-Returns
        // (a winner would close I at once, so it skips sending a CER it is about to drop)
        case 'I-Rcv-Conn-Ack':
          if (ctx.weWin) return winElection();
          return to('Wait-Returns', [{ do: 'send-cer' }, { do: 'send-cea', resultCode: DIAMETER_ELECTION_LOST }], false);
        // Wait-Conn-Ack/Elect  I-Rcv-Conn-Nack  R-Snd-CEA  R-Open
        case 'I-Rcv-Conn-Nack':
          return to('R-Open', [{ do: 'send-cea', resultCode: DIAMETER_SUCCESS }, { do: 'opened', side: 'R' }]);
        // Wait-Conn-Ack/Elect  R-Peer-Disc  R-Disc  Wait-Conn-Ack
        case 'Peer-Disc':
          return ev.side === 'R' ? to('Wait-Conn-Ack', [{ do: 'disconnect', side: 'R' }]) : same();
        // Wait-Conn-Ack/Elect  R-Conn-CER  R-Reject  Wait-Conn-Ack/Elect
        case 'R-Conn-CER':
          return same([{ do: 'reject' }]);
        // Wait-Conn-Ack/Elect  Timeout  Error  Closed
        case 'Timeout':
          return to('Closed', [{ do: 'cleanup', reason: 'timeout during election' }]);
        case 'Stop':
          return to('Closed', [{ do: 'cleanup', reason: 'stopped' }]);
        default:
          return same();
      }

    case 'Wait-Returns':
      switch (ev.type) {
        // Wait-Returns  Win-Election  I-Disc, R-Snd-CEA  R-Open
        case 'Win-Election':
          return winElection();
        // Wait-Returns  I-Peer-Disc  I-Disc, R-Snd-CEA  R-Open
        // Wait-Returns  R-Peer-Disc  R-Disc  Wait-I-CEA
        case 'Peer-Disc':
          return ev.side === 'I'
            ? to('R-Open', [{ do: 'disconnect', side: 'I' }, { do: 'send-cea', resultCode: DIAMETER_SUCCESS }, { do: 'opened', side: 'R' }])
            : to('Wait-I-CEA', [{ do: 'disconnect', side: 'R' }]);
        // Wait-Returns  I-Rcv-CEA  R-Disc  I-Open
        case 'I-Rcv-CEA':
          return ev.ok
            ? to('I-Open', [{ do: 'disconnect', side: 'R' }, { do: 'opened', side: 'I' }])
            : to('Closed', [{ do: 'cleanup', reason: 'CEA refused the capabilities exchange' }]);
        // Wait-Returns  R-Conn-CER  R-Reject  Wait-Returns
        case 'R-Conn-CER':
          return same([{ do: 'reject' }]);
        // Wait-Returns  Timeout  Error  Closed
        case 'Timeout':
          return to('Closed', [{ do: 'cleanup', reason: 'timeout waiting for the election to settle' }]);
        case 'Stop':
          return to('Closed', [{ do: 'cleanup', reason: 'stopped' }]);
        default:
          return same();
      }

    case 'R-Open':
    case 'I-Open': {
      const side: Side = ctx.state === 'R-Open' ? 'R' : 'I';
      switch (ev.type) {
        // X-Open  Send-Message  X-Snd-Message  X-Open
        case 'Send-Message':
          return same([{ do: 'send', side }]);
        // X-Open  X-Rcv-Message  Process  X-Open
        case 'Rcv-Message':
          return ev.side === side ? same([{ do: 'deliver', side }]) : same();
        // X-Open  X-Rcv-DWR  Process-DWR, X-Snd-DWA  X-Open
        case 'Rcv-DWR':
          return ev.side === side ? same([{ do: 'send-dwa', side }]) : same();
        // X-Open  X-Rcv-DWA  Process-DWA  X-Open
        case 'Rcv-DWA':
          return ev.side === side ? same([{ do: 'process-dwa', side }]) : same();
        // X-Open  R-Conn-CER  R-Reject  X-Open
        case 'R-Conn-CER':
          return same([{ do: 'reject' }]);
        // X-Open  Stop  X-Snd-DPR  Closing
        case 'Stop':
          return { context: { state: 'Closing', weWin: false }, actions: [{ do: 'send-dpr', side }] };
        // X-Open  X-Rcv-DPR  X-Snd-DPA, X-Disc  Closed
        case 'Rcv-DPR':
          return ev.side === side
            ? to('Closed', [{ do: 'send-dpa', side }, { do: 'disconnect', side }, { do: 'cleanup', reason: 'peer sent DPR' }])
            : same();
        // X-Open  X-Peer-Disc  X-Disc  Closed
        case 'Peer-Disc':
          return ev.side === side
            ? to('Closed', [{ do: 'disconnect', side }, { do: 'cleanup', reason: 'connection lost' }])
            : same();
        default:
          return same();
      }
    }

    case 'Closing':
      switch (ev.type) {
        // Closing  X-Rcv-DPA  X-Disc  Closed
        case 'Rcv-DPA':
          return to('Closed', [{ do: 'disconnect', side: ev.side }, { do: 'cleanup', reason: 'DPA received' }]);
        // Closing  Timeout  Error  Closed
        case 'Timeout':
          return to('Closed', [{ do: 'cleanup', reason: 'timeout waiting for DPA' }]);
        // Closing  X-Peer-Disc  X-Disc  Closed
        case 'Peer-Disc':
          return to('Closed', [{ do: 'disconnect', side: ev.side }, { do: 'cleanup', reason: 'connection closed' }]);
        // Answers to requests still pending keep flowing while we close (freeDiameter CLOSING_GRACE).
        case 'Rcv-Message':
          return same([{ do: 'deliver', side: ev.side }]);
        case 'Rcv-DWR':
          return same([{ do: 'send-dwa', side: ev.side }]);
        default:
          return same();
      }
  }
}

export function isOpen(ctx: PeerContext): boolean {
  return ctx.state === 'R-Open' || ctx.state === 'I-Open';
}
