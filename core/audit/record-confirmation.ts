import type { Caller, CorePorts } from '../context.js';
import { actorOf, recordAudit } from './record-audit.js';

/**
 * A person's answer when asked to approve a tool call: `accepted`, `declined`, `cancelled` (the question
 * was dismissed), or `unanswered` (no answer in time, or the client could not ask).
 */
export type ConfirmationAnswer = 'accepted' | 'declined' | 'cancelled' | 'unanswered';

/**
 * Records the answer under the request id of the call it concerns, so the trail shows who approved what.
 * Only the tool's name: its input (numbers, addresses) stays out of the trail.
 */
export function recordConfirmation(ports: CorePorts, caller: Caller, tool: string, answer: ConfirmationAnswer, requestId: string): Promise<void> {
  const agentId = caller.kind === 'agent' ? caller.agentId : null;
  return recordAudit(ports, actorOf(caller), { action: 'confirmation.elicit', agentId, targets: { tool } }, answer, requestId);
}
