import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { BrainRequest } from '../../ports/brain.js';
import { alternatingTurns } from '../brain-stream/conversation-turns.js';

/**
 * Stands in for the caller when the agent speaks first (an outbound call's greeting, or its opening line):
 * the Messages API wants the conversation to begin with a user turn.
 */
export const CALL_CONNECTED_TURN = '(The phone call has connected.)';

/** The `system` and `messages` of a Messages API request for one turn. */
export function anthropicConversation(request: Pick<BrainRequest, 'instructions' | 'history'>): { system: string | undefined; messages: MessageParam[] } {
  const turns = alternatingTurns(request.history);
  if (turns[0]?.role !== 'user') turns.unshift({ role: 'user', text: CALL_CONNECTED_TURN });
  return {
    // An empty system prompt is refused; none at all is fine.
    system: request.instructions.trim().length > 0 ? request.instructions : undefined,
    messages: turns.map((turn) => ({ role: turn.role, content: turn.text })),
  };
}
