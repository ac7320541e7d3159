/**
 * Control of a live call whose voice socket another server process holds (several servers on one database,
 * no sticky routing of webhooks or sockets). A request names our call id and the action; the process that
 * holds the call acts on it and says so; the others stay silent.
 */
export type CallControlAction = { kind: 'hang-up' } | { kind: 'transfer'; to: string };

/** Whether this process held the call and acted on it. */
export type CallControlHandler = (callId: string, action: CallControlAction) => boolean;

export interface CallControl {
  /**
   * Asks the other processes to act on a call that is not live here. Resolves true once the holder has acted,
   * false when none answered in time (no live conversation anywhere, or its process is gone). Never throws.
   */
  forward(callId: string, action: CallControlAction): Promise<boolean>;
  /** Serves the other processes' requests with `handler` (one per process; the last set wins). */
  serve(handler: CallControlHandler): void;
}

/** One process (SQLite): a call not live here is live nowhere. */
export const LOCAL_CALL_CONTROL: CallControl = {
  forward: () => Promise.resolve(false),
  serve: () => undefined,
};
