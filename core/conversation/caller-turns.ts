import type { SttEvent } from '../../ports/stt.js';

/** A caller's turn as the recogniser heard it. */
export interface CallerTurn {
  text: string;
  /** Audio-clock second at which the caller stopped speaking. */
  endSeconds: number;
}

/**
 * Turns a recogniser's events into caller turns: final pieces are collected until the recogniser says the
 * utterance ended (endpointing, or an utterance-end gap), then given as one turn. Interim results never
 * make a turn; they only tell that the caller is speaking.
 */
export class CallerTurns {
  private parts: string[] = [];
  private endSeconds = 0;

  /** The turn this event completes, if any. */
  push(event: SttEvent): CallerTurn | null {
    if (event.type === 'transcript' && event.isFinal && event.text.trim() !== '') {
      this.parts.push(event.text.trim());
      this.endSeconds = event.endSeconds;
    }
    const ends = (event.type === 'transcript' && event.speechFinal) || event.type === 'utterance-end' || event.type === 'closed';
    if (!ends || this.parts.length === 0) return null;
    const turn = { text: this.parts.join(' '), endSeconds: this.endSeconds };
    this.parts = [];
    return turn;
  }
}

/** Whether this event shows the caller speaking words (what a barge-in waits for: noise alone does not count). */
export function callerSpeaks(event: SttEvent): boolean {
  return event.type === 'transcript' && event.text.trim() !== '';
}
