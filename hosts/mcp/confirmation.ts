import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../../core/context.js';
import type { ConfirmationAnswer } from '../../core/audit/record-confirmation.js';
import type { UseCase } from '../../core/use-case.js';
import { confirmationDeclined } from '../shared/confirmation.js';
import type { RunOptions, UseCaseRunner } from '../shared/use-case-runner.js';

/** Decides, before a tool runs, how it runs: approved by a person, or left to the `confirm` field rule. */
export type Approver = (caller: Caller, name: string, args: unknown) => Promise<RunOptions>;

/** What the handler of the tool call knows about its request (the SDK's `extra`). */
export interface CallContext {
  requestId: RequestId;
  signal: AbortSignal;
}

/**
 * Asks the person through MCP elicitation (form mode) whether a tool marked `elicit` may run, when the
 * client declared it can be asked; the answer goes to the audit trail under the call's request id.
 * Clients that cannot be asked, and tools not marked `elicit`, fall back to the runner's `confirm` rule.
 * The question travels on the tool call's own stream (`relatedRequestId`), so Streamable HTTP clients
 * get it without a standalone GET stream, and it is withdrawn if the client cancels the call.
 */
export function elicitingApprover(server: Server, runner: UseCaseRunner, call: CallContext): Approver {
  return async (caller, name, args) => {
    if (runner.confirmation.modeOf(name) !== 'elicit' || !server.getClientCapabilities()?.elicitation?.form) return {};
    let input: Record<string, unknown>;
    try {
      input = runner.check(name, caller, args);
    } catch {
      // Not runnable as asked: the run reports why, and nobody is asked about it.
      return {};
    }
    const useCase = runner.get(name)!;
    const requestId = runner.nextRequestId();
    const answer = await ask(server, useCase, input, call);
    await runner.recordConfirmation(caller, name, answer, requestId);
    if (answer !== 'accepted') throw confirmationDeclined(name, answer);
    return { approved: true, requestId };
  };
}

async function ask(server: Server, useCase: UseCase, input: Record<string, unknown>, call: CallContext): Promise<ConfirmationAnswer> {
  try {
    const result = await server.elicitInput(
      {
        mode: 'form',
        message: questionFor(useCase, input),
        requestedSchema: {
          type: 'object',
          properties: { confirm: { type: 'boolean', title: 'Go ahead', description: `Run ${useCase.name} as described.`, default: false } },
          required: ['confirm'],
        },
      },
      { relatedRequestId: call.requestId, signal: call.signal },
    );
    if (result.action === 'accept') return result.content?.confirm === true ? 'accepted' : 'declined';
    return result.action === 'decline' ? 'declined' : 'cancelled';
  } catch {
    // No answer in time, an answer that does not fit the form, or the client failed to ask.
    return 'unanswered';
  }
}

/** The question names the tool and, when it has one, the exact target, so the person knows what they approve. */
function questionFor(useCase: UseCase, input: Record<string, unknown>): string {
  const target = useCase.confirmation?.target;
  const value = target ? input[target] : undefined;
  const on = value === undefined ? '' : ` (${target}: ${Array.isArray(value) ? value.join(', ') : String(value)})`;
  return `The agent asks to run "${useCase.title}"${on}. ${useCase.description.split('. ')[0]!.replace(/\.$/, '')}. Allow it?`;
}
