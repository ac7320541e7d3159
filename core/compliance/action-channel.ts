import type { ComplianceChannel } from '../../ports/compliance.js';
import type { ActionKind } from '../usage/usage-settings.js';

/** The compliance channel of an outbound action: calls are `voice`, messages their own channel. */
export function actionChannel(kind: ActionKind): ComplianceChannel {
  return kind === 'call' ? 'voice' : kind;
}
