import { DomainError } from '../../../ports/errors.js';
import type { PolicyRule } from '../outbound-action.js';

/** An agent whose sending the anomaly detector suspended sends nothing until an admin resumes it. */
export const suspensionRule: PolicyRule = {
  name: 'suspension',
  evaluate({ action }) {
    const finding = action.agent.sendingSuspended;
    if (!finding) return [];
    throw new DomainError(
      'AGENT_SUSPENDED',
      `This agent's sending is suspended after unusual activity (${finding}).`,
      'Ask the operator to review it and resume it (comms_resume_agent_sending, or POST /api/v1/agents/{agentId}/resume).',
      { finding },
    );
  },
};
