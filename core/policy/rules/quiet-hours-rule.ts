import { DomainError } from '../../../ports/errors.js';
import { actionChannel } from '../../compliance/action-channel.js';
import { isRecentConversation, quietHoursVerdict, type QuietHoursVerdict } from '../../compliance/quiet-hours-check.js';
import { formatLocal } from '../../compliance/zoned-time.js';
import { secondsUntil } from '../../usage/windows.js';
import type { PolicyRule } from '../outbound-action.js';

/** The refusal: the window, and the next time it holds in UTC and in the recipient's zone. */
export function quietHoursRefusal(verdict: Extract<QuietHoursVerdict, { allowed: false }>, now: Date): DomainError {
  const { window, next, timeZones } = verdict;
  const hours = `${window.start}–${window.end}`;
  if (!next) {
    return new DomainError(
      'QUIET_HOURS',
      `Calls and texts to this number are allowed only ${hours} local time, and its time zones (${timeZones.join(', ')}) never share such an hour.`,
      'Reach the person another way (email), or ask the operator to widen the quiet-hours window for this country or agent.',
      { window: hours, recipientTimeZones: timeZones.join(',') },
    );
  }
  return new DomainError(
    'QUIET_HOURS',
    `It is outside ${hours} in the recipient's local time; calls and texts are not allowed now.`,
    `Send it at or after ${next.at.toISOString()} (${formatLocal(next.at, next.zone)} ${next.zone}), or now only as a reply if the person writes first.`,
    {
      window: hours,
      nextAllowedAt: next.at.toISOString(),
      nextAllowedLocal: formatLocal(next.at, next.zone),
      recipientTimeZone: next.zone,
      recipientTimeZones: timeZones.join(','),
      retryAfterSeconds: secondsUntil(next.at, now),
    },
  );
}

/**
 * No calls or texts outside the allowed hours (08:00–21:00 by default) in every time zone the recipient's
 * number may be in, unless the person wrote to the agent within the reply window (24 h by default).
 */
export const quietHoursRule: PolicyRule = {
  name: 'quiet-hours',
  async evaluate({ ctx, action, now }) {
    const settings = ctx.ports.settings.compliance.quietHours;
    if (!settings.enabled || !settings.channels.includes(actionChannel(action.kind))) return [];
    for (const contact of action.contacts) {
      const verdict = await quietHoursVerdict(ctx.ports, action.agent, contact, now);
      if (verdict.allowed || (await isRecentConversation(ctx.ports, action.agent.id, contact, now))) continue;
      throw quietHoursRefusal(verdict, now);
    }
    return [];
  },
};
