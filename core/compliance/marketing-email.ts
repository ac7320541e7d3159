import { DomainError } from '../../ports/errors.js';
import type { AgentRecord } from '../../ports/records.js';
import type { UseCaseContext } from '../context.js';
import { unsubscribeUrl } from './unsubscribe-link.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A marketing email as CAN-SPAM and RFC 8058 want it: the operator's postal address and an unsubscribe
 * link in the body, and one-click `List-Unsubscribe` headers. One recipient per send, so that each
 * person's link unsubscribes that person.
 */
export function marketingEmail(
  ctx: UseCaseContext, agent: AgentRecord, mail: { to: string[]; cc: string[]; bcc: string[]; text?: string; html?: string },
): { text?: string; html?: string; headers: Record<string, string> } {
  if (mail.to.length !== 1 || mail.cc.length > 0 || mail.bcc.length > 0) {
    throw new DomainError('INVALID_INPUT', 'A marketing email goes to exactly one recipient, without cc or bcc.', 'Send one marketing email per recipient: each gets their own unsubscribe link.', { field: 'to' });
  }
  const address = ctx.ports.settings.compliance.email.physicalAddress;
  if (!address) {
    throw new DomainError(
      'CHANNEL_NOT_CONFIGURED', 'Marketing emails need the operator\'s postal address (CAN-SPAM), and none is configured.',
      'Send it as transactional if it is one, or ask the operator to set compliance.email.physicalAddress.', { setting: 'compliance.email.physicalAddress' },
    );
  }
  const link = unsubscribeUrl(ctx.ports, agent, mail.to[0]!);
  const footer = `${address}\nTo stop receiving these emails, unsubscribe: ${link}`;
  const htmlFooter = `<p style="font-size:12px;color:#666">${escapeHtml(address).replace(/\n/g, '<br>')}<br>` +
    `<a href="${escapeHtml(link)}">Unsubscribe</a> from these emails.</p>`;
  const html = mail.html === undefined ? undefined
    : /<\/body>/i.test(mail.html) ? mail.html.replace(/<\/body>/i, `${htmlFooter}</body>`) : `${mail.html}\n${htmlFooter}`;
  return {
    text: mail.text === undefined && html !== undefined ? undefined : `${mail.text ?? ''}\n\n--\n${footer}`,
    html,
    headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
