import { randomBytes } from 'node:crypto';

export const API_VERSION = '2010-04-01';

/** A message the simulated account holds (outbound ones it accepted). */
export interface SimulatedMessage {
  sid: string;
  accountSid: string;
  messagingServiceSid: string | null;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
  statusCallback: string | null;
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

/** A charge as Twilio writes `price`: negative, five decimals ("-0.01400"). */
export function twilioPrice(micros: number): string {
  return `-${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0').slice(0, 5)}`;
}

/** US outbound SMS rate the simulator bills, per segment. */
export const SMS_PRICE_PER_SEGMENT_MICROS = 7_900;
/** Statuses of messages that went out: Twilio has priced them (failed ones are not charged). */
const PRICED = new Set(['sent', 'delivered', 'undelivered', 'read']);

/** Twilio SIDs: two-letter prefix + 32 hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Twilio's resource dates are RFC 2822 (`Thu, 24 Aug 2023 05:01:45 +0000`). */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

const GSM7 = /^[A-Za-z0-9 \r\n@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/;

/** Segments the way carriers count them: 160/153 GSM-7 characters, 70/67 UCS-2 ones. */
export function segmentCount(body: string): number {
  const gsm = GSM7.test(body);
  const length = gsm ? body.length : [...body].length;
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  if (length <= single) return 1;
  return Math.ceil(length / part);
}

export function messageUri(accountSid: string, sid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;
}

/** The snake_case Message resource of API v2010, as the REST API returns it. */
export function toMessageResource(message: SimulatedMessage): Record<string, unknown> {
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: message.dateSent ? rfc2822(message.dateSent) : null,
    date_updated: rfc2822(message.dateUpdated),
    direction: 'outbound-api',
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.mediaUrls.length),
    num_segments: String(message.numSegments),
    price: PRICED.has(message.status) ? twilioPrice(message.numSegments * SMS_PRICE_PER_SEGMENT_MICROS) : null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: {
      media: `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json`,
    },
    to: message.to,
    uri: messageUri(message.accountSid, message.sid),
  };
}
