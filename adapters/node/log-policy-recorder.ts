import type { Logger } from '../../ports/runtime.js';
import type { PolicyRecorder, PolicyRefusal } from '../../ports/usage.js';

/** Records policy refusals in the log (codes and ids only: the refusal carries no personal data). */
export class LogPolicyRecorder implements PolicyRecorder {
  constructor(private readonly logger: Logger) {}

  refused(refusal: PolicyRefusal): void {
    this.logger.info({ ...refusal, at: refusal.at.toISOString() }, 'policy refused an outbound action');
  }
}
