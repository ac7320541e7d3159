import { firstValue, type FormParams } from './form-params.js';
import type { TwilioErrorBody } from './twilio-error-body.js';
import { channelErrors } from './whatsapp-errors.js';
import type { ContentTemplate } from './whatsapp-window.js';

const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

/** `ContentVariables` is a JSON string of an object whose values are non-empty strings (Twilio's 21656 otherwise). */
function parseVariables(raw: string): Record<string, string> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' || value === '') return null;
    variables[key] = value;
  }
  return variables;
}

/**
 * The Content API template of a Messages.json request, if any, with Twilio's refusals: variables without a
 * template (21654), a ContentSid that is not `HX` + 32 hex (21655), variables that are not a JSON object of
 * non-empty strings (21656). Any channel may carry one; WhatsApp needs one outside the 24-hour window.
 */
export function parseContentTemplate(params: FormParams): { template: ContentTemplate | null } | { error: TwilioErrorBody } {
  const contentSid = firstValue(params, 'ContentSid');
  const rawVariables = firstValue(params, 'ContentVariables');
  if (contentSid === undefined) return rawVariables === undefined ? { template: null } : { error: channelErrors.contentSidRequired() };
  if (!CONTENT_SID.test(contentSid)) return { error: channelErrors.invalidContentSid() };
  if (rawVariables === undefined) return { template: { contentSid, variables: {} } };
  const variables = parseVariables(rawVariables);
  return variables ? { template: { contentSid, variables } } : { error: channelErrors.invalidContentVariables() };
}
