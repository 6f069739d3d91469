// RFC 3539 §3.4.1 watchdog table, row by row, and the REOPEN rule of three DWAs.
import { describe, expect, it } from 'vitest';
import { type WatchdogEvent, type WatchdogState, jitteredTw, watchdogTransition } from '../../src/diameter/peer/watchdog.js';

const s = (state: WatchdogState['state'], pending = false, numDwa = 0): WatchdogState => ({ state, pending, numDwa });
type Row = [WatchdogState, WatchdogEvent['type'], string[], WatchdogState];

const rows: Row[] = [
  [s('INITIAL'), 'connection-up', ['set-timer'], s('OKAY')],
  [s('OKAY', true), 'receive-dwa', ['set-timer'], s('OKAY', false)],
  [s('OKAY'), 'receive-other', ['set-timer'], s('OKAY')],
  [s('OKAY', false), 'timer-expires', ['send-dwr', 'set-timer'], s('OKAY', true)],
  [s('OKAY', true), 'timer-expires', ['failover', 'set-timer'], s('SUSPECT', true)],
  [s('OKAY'), 'connection-down', ['failover', 'set-timer'], s('DOWN')],
  [s('SUSPECT', true), 'receive-dwa', ['failback', 'set-timer'], s('OKAY', false)],
  [s('SUSPECT', true), 'receive-other', ['failback', 'set-timer'], s('OKAY', true)],
  [s('SUSPECT', true), 'timer-expires', ['close-connection', 'set-timer'], s('DOWN')],
  [s('DOWN'), 'connection-up', ['send-dwr', 'set-timer'], s('REOPEN', true, 0)],
  [s('REOPEN', true, 0), 'receive-dwa', [], s('REOPEN', false, 1)],
  [s('REOPEN', true, 2), 'receive-dwa', ['failback', 'set-timer'], s('OKAY')],
  [s('REOPEN', true, 1), 'receive-other', ['throwaway'], s('REOPEN', true, 1)],
  [s('REOPEN', false, 1), 'timer-expires', ['send-dwr', 'set-timer'], s('REOPEN', true, 1)],
  [s('REOPEN', true, 1), 'timer-expires', ['set-timer'], s('REOPEN', true, -1)],
  [s('REOPEN', true, -1), 'timer-expires', ['close-connection', 'set-timer'], s('DOWN')],
  [s('REOPEN', true, 1), 'connection-down', ['close-connection', 'set-timer'], s('DOWN')],
];

describe('RFC 3539 watchdog', () => {
  for (const [from, ev, actions, to] of rows) {
    it(`${from.state}(pending=${from.pending}, numDwa=${from.numDwa}) + ${ev} -> ${to.state}`, () => {
      const t = watchdogTransition(from, { type: ev } as WatchdogEvent);
      expect(t.actions.map((a) => a.do)).toEqual(actions);
      expect(t.state).toEqual(to);
    });
  }

  it('needs three DWAs after a reconnection before the peer is trusted again', () => {
    let st = s('DOWN');
    let trusted = false;
    const step = (ev: WatchdogEvent['type']): void => {
      const t = watchdogTransition(st, { type: ev } as WatchdogEvent);
      st = t.state;
      if (t.actions.some((a) => a.do === 'failback')) trusted = true;
    };
    step('connection-up');
    step('receive-dwa');
    step('timer-expires');
    step('receive-dwa');
    expect(trusted).toBe(false);
    step('timer-expires');
    step('receive-dwa');
    expect(trusted).toBe(true);
    expect(st.state).toBe('OKAY');
  });

  it('SUSPECT waits 2·Tw before giving up', () => {
    const t = watchdogTransition(s('OKAY', true), { type: 'timer-expires' });
    expect(t.actions).toContainEqual({ do: 'set-timer', length: 'suspect' });
  });

  it('jitters Tw by at most ±2 s, and ±10% for short test timers', () => {
    expect(jitteredTw(30_000, () => 0)).toBe(28_000);
    expect(jitteredTw(30_000, () => 1)).toBe(32_000);
    expect(jitteredTw(1000, () => 0)).toBe(900);
  });
});

describe('clean disconnection (DPR/DPA)', () => {
  it('returns to INITIAL from any state, so the next connection opens without REOPEN', () => {
    for (const state of ['OKAY', 'SUSPECT', 'REOPEN', 'DOWN'] as const) {
      const t = watchdogTransition({ state, pending: true, numDwa: 1 }, { type: 'disconnected-cleanly' });
      expect(t.state).toEqual({ state: 'INITIAL', pending: false, numDwa: 0 });
      expect(t.actions).toEqual([]);
      expect(watchdogTransition(t.state, { type: 'connection-up' }).state.state).toBe('OKAY');
    }
  });
});
