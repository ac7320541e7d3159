import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { BrainRequest } from '../../ports/brain.js';
import { alternatingTurns } from '../brain-stream/conversation-turns.js';

/** The chat messages of one turn: the instructions as the system message, then the conversation. */
export function chatMessages(request: Pick<BrainRequest, 'instructions' | 'history'>): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.instructions.trim().length > 0) messages.push({ role: 'system', content: request.instructions });
  for (const turn of alternatingTurns(request.history)) messages.push({ role: turn.role, content: turn.text });
  return messages;
}
