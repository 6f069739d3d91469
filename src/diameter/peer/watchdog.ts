// RFC 3539 §3.4.1 transport failure detection (the watchdog), as a pure state machine.
// Timer lengths: Tw with jitter (§3.4.1: "Tw ... plus or minus up to 2 seconds"; we use ±10% of
// Tw for sub-minute test values, capped at 2 s), and 2·Tw while SUSPECT before giving up, as
// freeDiameter does. The driver owns the clock; here timers are just "set-timer" actions.

export type WatchdogStateName = 'INITIAL' | 'OKAY' | 'SUSPECT' | 'DOWN' | 'REOPEN';

export interface WatchdogState {
  state: WatchdogStateName;
  /** A DWR is outstanding. */
  pending: boolean;
  /** DWAs received in REOPEN; -1 after a missed one. */
  numDwa: number;
}

export type WatchdogEvent =
  | { type: 'connection-up' }
  | { type: 'receive-dwa' }
  /** Any other message from the peer. */
  | { type: 'receive-other' }
  | { type: 'timer-expires' }
  | { type: 'connection-down' }
  /**
   * The connection ended with DPR/DPA. That is not a transport failure: the next connection is a
   * first connection again (INITIAL → OKAY), not a REOPEN needing 3 DWAs. RFC 3539 leaves this open.
   */
  | { type: 'disconnected-cleanly' };

export type WatchdogAction =
  | { do: 'send-dwr' }
  /** Arm the timer: 'tw' (Tw with jitter) or 'suspect' (2·Tw). */
  | { do: 'set-timer'; length: 'tw' | 'suspect' }
  /** Stop routing to the peer and re-send its pending requests elsewhere. */
  | { do: 'failover' }
  /** The peer is usable again. */
  | { do: 'failback' }
  | { do: 'close-connection' }
  /** Discard a message received while REOPEN (not yet trusted). */
  | { do: 'throwaway' };

export interface WatchdogTransition {
  state: WatchdogState;
  actions: WatchdogAction[];
}

/** DWAs needed in REOPEN before the connection carries traffic again (RFC 3539 §3.4.1). */
export const REOPEN_DWAS = 3;

export function initialWatchdog(): WatchdogState {
  return { state: 'INITIAL', pending: false, numDwa: 0 };
}

export function watchdogTransition(s: WatchdogState, ev: WatchdogEvent): WatchdogTransition {
  const next = (state: WatchdogStateName, pending: boolean, numDwa: number, actions: WatchdogAction[]): WatchdogTransition => ({
    state: { state, pending, numDwa },
    actions,
  });
  const tw: WatchdogAction = { do: 'set-timer', length: 'tw' };
  if (ev.type === 'disconnected-cleanly') return next('INITIAL', false, 0, []);
  switch (s.state) {
    case 'INITIAL':
      // INITIAL  Connection up  SetWatchdog()  OKAY
      if (ev.type === 'connection-up') return next('OKAY', false, 0, [tw]);
      return { state: s, actions: [] };
    case 'OKAY':
      switch (ev.type) {
        // OKAY  Receive DWA  Pending = FALSE, SetWatchdog()  OKAY
        case 'receive-dwa':
          return next('OKAY', false, 0, [tw]);
        // OKAY  Receive non-DWA  SetWatchdog()  OKAY
        case 'receive-other':
          return next('OKAY', s.pending, 0, [tw]);
        // OKAY  Timer expires, !Pending  SendWatchdog(), SetWatchdog(), Pending = TRUE  OKAY
        // OKAY  Timer expires, Pending   Failover(), SetWatchdog()  SUSPECT
        case 'timer-expires':
          return s.pending
            ? next('SUSPECT', true, 0, [{ do: 'failover' }, { do: 'set-timer', length: 'suspect' }])
            : next('OKAY', true, 0, [{ do: 'send-dwr' }, tw]);
        // OKAY  Connection down  Failover(), SetWatchdog()  DOWN
        case 'connection-down':
          return next('DOWN', false, 0, [{ do: 'failover' }, tw]);
        default:
          return { state: s, actions: [] };
      }
    case 'SUSPECT':
      switch (ev.type) {
        // SUSPECT  Receive DWA  Pending = FALSE, Failback(), SetWatchdog()  OKAY
        case 'receive-dwa':
          return next('OKAY', false, 0, [{ do: 'failback' }, tw]);
        // SUSPECT  Receive non-DWA  Failback(), SetWatchdog()  OKAY
        case 'receive-other':
          return next('OKAY', s.pending, 0, [{ do: 'failback' }, tw]);
        // SUSPECT  Timer expires  CloseConnection(), SetWatchdog()  DOWN
        case 'timer-expires':
          return next('DOWN', false, 0, [{ do: 'close-connection' }, tw]);
        // SUSPECT  Connection down  CloseConnection(), SetWatchdog()  DOWN
        case 'connection-down':
          return next('DOWN', false, 0, [{ do: 'close-connection' }, tw]);
        default:
          return { state: s, actions: [] };
      }
    case 'DOWN':
      switch (ev.type) {
        // DOWN  Connection up  NumDWA = 0, SendWatchdog(), SetWatchdog(), Pending = TRUE  REOPEN
        case 'connection-up':
          return next('REOPEN', true, 0, [{ do: 'send-dwr' }, tw]);
        // DOWN  Timer expires  AttemptOpen(), SetWatchdog()  DOWN (the peer driver reconnects every Tc)
        default:
          return { state: s, actions: [] };
      }
    case 'REOPEN':
      switch (ev.type) {
        // REOPEN  Receive DWA, Pending, NumDWA < 2  NumDWA++, Pending = FALSE  REOPEN
        // REOPEN  Receive DWA, Pending, NumDWA == 2  NumDWA++, Failback()  OKAY
        case 'receive-dwa': {
          const n = s.numDwa + 1;
          if (n >= REOPEN_DWAS) return next('OKAY', false, 0, [{ do: 'failback' }, tw]);
          return next('REOPEN', false, n, []);
        }
        // REOPEN  Receive non-DWA  Throwaway()  REOPEN
        case 'receive-other':
          return next('REOPEN', s.pending, s.numDwa, [{ do: 'throwaway' }]);
        // REOPEN  Timer expires, !Pending  SendWatchdog(), SetWatchdog(), Pending = TRUE  REOPEN
        // REOPEN  Timer expires, Pending, NumDWA < 0  CloseConnection()  DOWN
        // REOPEN  Timer expires, Pending, NumDWA >= 0  NumDWA = -1, SetWatchdog()  REOPEN
        case 'timer-expires':
          if (!s.pending) return next('REOPEN', true, s.numDwa, [{ do: 'send-dwr' }, tw]);
          if (s.numDwa < 0) return next('DOWN', false, 0, [{ do: 'close-connection' }, tw]);
          return next('REOPEN', true, -1, [tw]);
        // REOPEN  Connection down  CloseConnection(), SetWatchdog()  DOWN
        case 'connection-down':
          return next('DOWN', false, 0, [{ do: 'close-connection' }, tw]);
        default:
          return { state: s, actions: [] };
      }
  }
}

/** Tw with jitter: RFC 3539 asks for up to ±2 s; short test timers get ±10%. */
export function jitteredTw(twMs: number, random: () => number = Math.random): number {
  const spread = Math.min(2000, twMs * 0.1);
  return Math.max(1, Math.round(twMs + (random() * 2 - 1) * spread));
}
