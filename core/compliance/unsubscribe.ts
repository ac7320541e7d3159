import type { WebhookReply } from '../../ports/webhook.js';
import type { CorePorts } from '../context.js';
import { verifyUnsubscribeToken } from './unsubscribe-link.js';

/** The pages' only style, in a <style> element: the server's Content-Security-Policy allows it by its hash. */
export const UNSUBSCRIBE_PAGE_CSS = 'body{font-family:sans-serif;max-width:32em;margin:4em auto}';

const page = (title: string, text: string, form = ''): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${title}</title><style>${UNSUBSCRIBE_PAGE_CSS}</style></head><body><h1>${title}</h1><p>${text}</p>${form}</body></html>`;

const html = (body: string): WebhookReply => ({ contentType: 'text/html; charset=utf-8', body });

/**
 * The unsubscribe link of a marketing email (no login: the link is signed). GET shows a confirmation
 * button, so that mail scanners following links unsubscribe nobody; POST (the button, or a mail client's
 * RFC 8058 one-click `List-Unsubscribe=One-Click`) records the opt-out from this agent's marketing email.
 */
export async function receiveUnsubscribe(ports: CorePorts, agentId: string, token: string, method: 'GET' | 'POST'): Promise<{ status: number; reply: WebhookReply }> {
  const agent = await ports.db.agents.findById(agentId);
  const hash = agent ? verifyUnsubscribeToken(ports, agent, token) : null;
  if (!agent || !hash) return { status: 404, reply: html(page('Link not valid', 'This unsubscribe link is not valid. Reply to the email to ask to be unsubscribed.')) };
  if (method === 'GET') {
    const form = '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>';
    return { status: 200, reply: html(page('Unsubscribe', 'Stop receiving marketing emails from this sender?', form)) };
  }
  const own = await ports.db.agents.findChannel(agent.id, 'email');
  const operatorWide = ports.settings.compliance.optOut.scope === 'operator';
  await ports.db.compliance.addOptOut({
    contactHash: hash, channel: 'email', sender: operatorWide || !own ? null : own.address, scope: 'marketing', source: 'unsubscribe', createdAt: ports.clock.now(),
  });
  return { status: 200, reply: html(page('Unsubscribed', 'You will receive no more marketing emails from this sender.')) };
}
