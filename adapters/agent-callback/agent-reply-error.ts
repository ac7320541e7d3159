/** Why an agent's answer could not be used, once the HTTP exchange itself succeeded. */
export type AgentReplyProblem =
  /** The agent answered in a form the voice-turn protocol does not define. */
  | 'protocol'
  /** The agent itself reported a failure part-way (`event: error`). */
  | 'agent-error';

export class AgentReplyError extends Error {
  override readonly name = 'AgentReplyError';

  constructor(
    readonly problem: AgentReplyProblem,
    message: string,
  ) {
    super(message);
  }
}
