import { API_VERSION, newSid, segmentCount } from './twilio-message-resource.js';

export interface InboundSmsInput {
  /** The URL configured on the number (the exact string that gets signed). */
  url: string;
  from: string;
  to: string;
  body: string;
  mediaUrls?: string[];
  /** Content types of `mediaUrls`, by position; guessed from the file extension when absent. */
  mediaContentTypes?: string[];
  messagingServiceSid?: string;
  /** Reuse a MessageSid (a redelivery); a new one is generated otherwise. */
  messageSid?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', mp4: 'video/mp4', pdf: 'application/pdf',
};

function guessContentType(url: string): string {
  const extension = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/** The form Twilio POSTs to a number's messaging webhook when an SMS/MMS arrives. */
export function inboundSmsForm(accountSid: string, input: InboundSmsInput): Record<string, string> {
  const sid = input.messageSid ?? newSid(input.mediaUrls?.length ? 'MM' : 'SM');
  const media = input.mediaUrls ?? [];
  const params: Record<string, string> = {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: String(media.length),
    SmsSid: sid,
    SmsStatus: 'received',
    Body: input.body,
    FromCountry: 'US',
    To: input.to,
    NumSegments: String(segmentCount(input.body)),
    MessageSid: sid,
    AccountSid: accountSid,
    From: input.from,
    ApiVersion: API_VERSION,
  };
  if (input.messagingServiceSid) params.MessagingServiceSid = input.messagingServiceSid;
  media.forEach((url, index) => {
    params[`MediaUrl${index}`] = url;
    params[`MediaContentType${index}`] = input.mediaContentTypes?.[index] ?? guessContentType(url);
  });
  return params;
}

export interface StatusCallbackInput {
  messageSid: string;
  accountSid: string;
  from: string;
  to: string;
  status: string;
  errorCode?: number | string | null;
  messagingServiceSid?: string | null;
}

/** The form Twilio POSTs to a message's StatusCallback URL on each status change. */
export function statusCallbackForm(input: StatusCallbackInput): Record<string, string> {
  const params: Record<string, string> = {
    SmsSid: input.messageSid,
    SmsStatus: input.status,
    MessageStatus: input.status,
    To: input.to,
    MessageSid: input.messageSid,
    AccountSid: input.accountSid,
    From: input.from,
    ApiVersion: API_VERSION,
  };
  if (input.messagingServiceSid) params.MessagingServiceSid = input.messagingServiceSid;
  if (input.errorCode !== undefined && input.errorCode !== null) params.ErrorCode = String(input.errorCode);
  return params;
}
