import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import type { OpenAiSimulator } from '../simulators/llm/openai-simulator.js';
import type { SimulatedCallerLine } from '../simulators/shared/simulated-caller-line.js';
import { eventually } from './callback-receiver.js';
import { callOk } from './mcp-client.js';

/** What the live-call tests read of `comms_get_call`. */
export interface TranscriptTurn { seq: number; speaker: string; text: string; interrupted: boolean; latency: Record<string, number | null> | null }

/** Polls `comms_get_call` until `done`; on timeout the error shows the last view. */
export function callViewPoller<V>(client: () => Client): (callId: string, done: (view: V) => boolean) => Promise<V> {
  return async (callId, done) => {
    let last: V | null = null;
    return eventually(async () => {
      last = await callOk<V>(client(), 'comms_get_call', { callId });
      return done(last) ? last : undefined;
    }, 20_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last view: ${JSON.stringify(last)}`);
    });
  };
}

const OPENING_HOURS = ['We are open on Monday from nine.', 'On Tuesday we open at ten.', 'Wednesday is a short day.', 'Thursday we stay open late.', 'Friday we close at noon.'];

/**
 * Barge-in on any provider's line: once the greeting played, the caller asks, lets half a second of the long reply
 * play, and speaks over it; the line must see `clear`, the brain's stream be aborted, the next reply be heard.
 * Ends with the caller hanging up and nothing invalid on the line.
 */
export async function speakOverTheReply(line: SimulatedCallerLine<unknown>, openai: OpenAiSimulator, say: (text: string) => Promise<void>): Promise<void> {
  await line.whenHeard(0, 10);
  await line.whenAgentQuiet();
  openai.enqueue({ text: OPENING_HOURS.join(' '), tokenDelayMs: 120 }, { text: 'Saturday we are closed.' });
  const before = line.heard.length;
  await say('When are you open');
  await line.whenHeard(before, 25);
  await say('Just Saturday please');
  await eventually(() => (line.clears > 0 ? true : undefined), 20_000);
  const interrupted = openai.requests.at(-2)!;
  await openai.finished(interrupted, 5000);
  expect(interrupted.clientAborted).toBe(true);
  await line.whenHeard(line.heard.length, 10);
  await line.whenAgentQuiet();
  await line.hangUp();
  expect(line.invalid).toEqual([]);
}

/** The transcript after `speakOverTheReply`: the cut reply keeps only whole sentences heard, then the new turn. */
export function expectCutReply(transcript: TranscriptTurn[]): void {
  const cut = transcript[2]!;
  expect(cut).toMatchObject({ speaker: 'agent', interrupted: true });
  // What was heard is whole sentences from the start of the reply, never the part that was cleared.
  expect(OPENING_HOURS.join(' ').startsWith(cut.text)).toBe(true);
  expect(cut.text).not.toContain('Friday');
  expect(transcript.slice(3).map((t) => [t.speaker, t.text])).toEqual([['caller', 'Just Saturday please'], ['agent', 'Saturday we are closed.']]);
}
