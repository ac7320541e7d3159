import type { ConversationTurn } from '../../ports/brain.js';

/**
 * The history as chat APIs accept it: turns with no words dropped (an interrupted reply the caller never heard
 * is empty, and empty content is refused), and consecutive turns of one role joined into one, since several
 * APIs and chat templates insist that user and assistant alternate.
 */
export function alternatingTurns(history: readonly ConversationTurn[]): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  for (const turn of history) {
    if (turn.text.trim().length === 0) continue;
    const previous = turns[turns.length - 1];
    if (previous && previous.role === turn.role) previous.text = `${previous.text}\n${turn.text}`;
    else turns.push({ role: turn.role, text: turn.text });
  }
  return turns;
}
