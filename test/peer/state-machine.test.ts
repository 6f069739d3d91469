// RFC 6733 §5.6 table, row by row: (state, event) -> (actions, next state).
import { describe, expect, it } from 'vitest';
import { type PeerAction, type PeerEvent, type PeerStateName, transition } from '../../src/diameter/peer/state-machine.js';

type Row = [PeerStateName, PeerEvent, PeerAction['do'][], PeerStateName, boolean?];

const rows: Row[] = [
  ['Closed', { type: 'Start' }, ['connect'], 'Wait-Conn-Ack'],
  ['Closed', { type: 'R-Conn-CER', weWin: false }, ['accept', 'send-cea', 'opened'], 'R-Open'],

  ['Wait-Conn-Ack', { type: 'I-Rcv-Conn-Ack' }, ['send-cer'], 'Wait-I-CEA'],
  ['Wait-Conn-Ack', { type: 'I-Rcv-Conn-Nack' }, ['cleanup'], 'Closed'],
  ['Wait-Conn-Ack', { type: 'R-Conn-CER', weWin: true }, ['accept'], 'Wait-Conn-Ack/Elect'],
  ['Wait-Conn-Ack', { type: 'Timeout' }, ['cleanup'], 'Closed'],

  ['Wait-I-CEA', { type: 'I-Rcv-CEA', ok: true }, ['opened'], 'I-Open'],
  ['Wait-I-CEA', { type: 'R-Conn-CER', weWin: false }, ['accept', 'send-cea'], 'Wait-Returns'],
  // Elect won inline: Wait-Returns/Win-Election applies at once.
  ['Wait-I-CEA', { type: 'R-Conn-CER', weWin: true }, ['accept', 'disconnect', 'send-cea', 'opened'], 'R-Open'],
  ['Wait-I-CEA', { type: 'Peer-Disc', side: 'I' }, ['disconnect', 'cleanup'], 'Closed'],
  ['Wait-I-CEA', { type: 'I-Rcv-Non-CEA' }, ['cleanup'], 'Closed'],
  ['Wait-I-CEA', { type: 'Timeout' }, ['cleanup'], 'Closed'],

  ['Wait-Conn-Ack/Elect', { type: 'I-Rcv-Conn-Ack' }, ['send-cer', 'send-cea'], 'Wait-Returns', false],
  ['Wait-Conn-Ack/Elect', { type: 'I-Rcv-Conn-Ack' }, ['disconnect', 'send-cea', 'opened'], 'R-Open', true],
  ['Wait-Conn-Ack/Elect', { type: 'I-Rcv-Conn-Nack' }, ['send-cea', 'opened'], 'R-Open'],
  ['Wait-Conn-Ack/Elect', { type: 'Peer-Disc', side: 'R' }, ['disconnect'], 'Wait-Conn-Ack'],
  ['Wait-Conn-Ack/Elect', { type: 'R-Conn-CER', weWin: true }, ['reject'], 'Wait-Conn-Ack/Elect'],
  ['Wait-Conn-Ack/Elect', { type: 'Timeout' }, ['cleanup'], 'Closed'],

  ['Wait-Returns', { type: 'Win-Election' }, ['disconnect', 'send-cea', 'opened'], 'R-Open'],
  ['Wait-Returns', { type: 'Peer-Disc', side: 'I' }, ['disconnect', 'send-cea', 'opened'], 'R-Open'],
  ['Wait-Returns', { type: 'I-Rcv-CEA', ok: true }, ['disconnect', 'opened'], 'I-Open'],
  ['Wait-Returns', { type: 'Peer-Disc', side: 'R' }, ['disconnect'], 'Wait-I-CEA'],
  ['Wait-Returns', { type: 'R-Conn-CER', weWin: true }, ['reject'], 'Wait-Returns'],
  ['Wait-Returns', { type: 'Timeout' }, ['cleanup'], 'Closed'],

  ['R-Open', { type: 'Send-Message' }, ['send'], 'R-Open'],
  ['R-Open', { type: 'Rcv-Message', side: 'R' }, ['deliver'], 'R-Open'],
  ['R-Open', { type: 'Rcv-DWR', side: 'R' }, ['send-dwa'], 'R-Open'],
  ['R-Open', { type: 'Rcv-DWA', side: 'R' }, ['process-dwa'], 'R-Open'],
  ['R-Open', { type: 'R-Conn-CER', weWin: true }, ['reject'], 'R-Open'],
  ['R-Open', { type: 'Stop' }, ['send-dpr'], 'Closing'],
  ['R-Open', { type: 'Rcv-DPR', side: 'R' }, ['send-dpa', 'disconnect', 'cleanup'], 'Closed'],
  ['R-Open', { type: 'Peer-Disc', side: 'R' }, ['disconnect', 'cleanup'], 'Closed'],

  ['I-Open', { type: 'Send-Message' }, ['send'], 'I-Open'],
  ['I-Open', { type: 'Rcv-Message', side: 'I' }, ['deliver'], 'I-Open'],
  ['I-Open', { type: 'Rcv-DWR', side: 'I' }, ['send-dwa'], 'I-Open'],
  ['I-Open', { type: 'Rcv-DWA', side: 'I' }, ['process-dwa'], 'I-Open'],
  ['I-Open', { type: 'R-Conn-CER', weWin: false }, ['reject'], 'I-Open'],
  ['I-Open', { type: 'Stop' }, ['send-dpr'], 'Closing'],
  ['I-Open', { type: 'Rcv-DPR', side: 'I' }, ['send-dpa', 'disconnect', 'cleanup'], 'Closed'],
  ['I-Open', { type: 'Peer-Disc', side: 'I' }, ['disconnect', 'cleanup'], 'Closed'],

  ['Closing', { type: 'Rcv-DPA', side: 'I' }, ['disconnect', 'cleanup'], 'Closed'],
  ['Closing', { type: 'Rcv-DPA', side: 'R' }, ['disconnect', 'cleanup'], 'Closed'],
  ['Closing', { type: 'Timeout' }, ['cleanup'], 'Closed'],
  ['Closing', { type: 'Peer-Disc', side: 'I' }, ['disconnect', 'cleanup'], 'Closed'],
  ['Closing', { type: 'Peer-Disc', side: 'R' }, ['disconnect', 'cleanup'], 'Closed'],
];

describe('RFC 6733 §5.6 peer state machine', () => {
  for (const [state, event, actions, next, weWin] of rows) {
    const label = `${state} + ${event.type}${'side' in event ? `(${event.side})` : ''}${weWin === undefined ? '' : ` weWin=${weWin}`} -> ${next}`;
    it(label, () => {
      const t = transition({ state, weWin: weWin ?? false }, event);
      expect(t.context.state).toBe(next);
      expect(t.actions.map((a) => a.do)).toEqual(actions);
    });
  }

  it('answers an election it lost with CEA 4003 and a won one with 2001', () => {
    const lost = transition({ state: 'Wait-I-CEA', weWin: false }, { type: 'R-Conn-CER', weWin: false });
    expect(lost.actions).toContainEqual({ do: 'send-cea', resultCode: 4003 });
    const won = transition({ state: 'Wait-I-CEA', weWin: false }, { type: 'R-Conn-CER', weWin: true });
    expect(won.actions).toContainEqual({ do: 'send-cea', resultCode: 2001 });
    expect(won.actions).toContainEqual({ do: 'disconnect', side: 'I' });
  });

  it('ignores messages on the connection that is not the open one', () => {
    const t = transition({ state: 'I-Open', weWin: false }, { type: 'Rcv-Message', side: 'R' });
    expect(t.actions).toEqual([]);
    expect(t.context.state).toBe('I-Open');
  });

  it('keeps delivering answers while Closing', () => {
    const t = transition({ state: 'Closing', weWin: false }, { type: 'Rcv-Message', side: 'I' });
    expect(t.actions).toEqual([{ do: 'deliver', side: 'I' }]);
  });
});
