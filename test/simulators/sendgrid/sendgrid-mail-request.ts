import { isAcceptedAddress } from '../resend/email-address-syntax.js';

/** One Mail Send v3 refusal entry, as SendGrid words it. */
export interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

/** A mail as SendGrid accepted it: addresses bare, attachments decoded. */
export interface SimulatedMail {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text: string | null;
  html: string | null;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  headers: Record<string, string>;
  categories: string[];
  customArgs: Record<string, string>;
  /** The JSON body exactly as received. */
  body: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const HELP = 'https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors';
/** Headers SendGrid sets itself and refuses in `headers`. */
const RESERVED_HEADERS = new Set(['x-sg-id', 'x-sg-eid', 'received', 'dkim-signature', 'content-type', 'content-transfer-encoding', 'to', 'from', 'subject', 'reply-to', 'cc', 'bcc']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const error = (message: string, field: string | null): SendGridError => ({ message, field, help: HELP });

function emails(value: unknown, field: string, errors: SendGridError[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push(error('Invalid type. Expected: array.', field));
    return [];
  }
  return value.map((entry: unknown, index) => {
    const email = typeof entry === 'object' && entry !== null ? (entry as Json).email : undefined;
    if (typeof email !== 'string' || !isAcceptedAddress(email)) errors.push(error('Does not contain a valid address.', `${field}.${index}.email`));
    return typeof email === 'string' ? email.toLowerCase() : '';
  });
}

/**
 * Reads a `POST /v3/mail/send` body as SendGrid validates it (one personalization per message here, as our adapter
 * sends): every problem found, each naming its field, or the mail.
 */
export function readMailRequest(body: Json, messageId: string): { mail: SimulatedMail } | { errors: SendGridError[] } {
  const errors: SendGridError[] = [];
  const from = typeof body.from === 'object' && body.from !== null ? (body.from as Json).email : undefined;
  if (typeof from !== 'string' || !isAcceptedAddress(from)) errors.push(error('The from email does not contain a valid address.', 'from.email'));
  const personalizations = Array.isArray(body.personalizations) ? (body.personalizations as Json[]) : [];
  if (personalizations.length === 0) errors.push(error('The personalizations field is required and must have at least one personalization.', 'personalizations'));
  const [personalization = {}] = personalizations;
  const to = emails(personalization.to, 'personalizations.0.to', errors);
  if (personalizations.length > 0 && to.length === 0) errors.push(error('The to array is required for all personalization objects, and must have at least one email object with a valid email address.', 'personalizations.0.to'));
  const cc = emails(personalization.cc, 'personalizations.0.cc', errors);
  const bcc = emails(personalization.bcc, 'personalizations.0.bcc', errors);
  const all = [...to, ...cc, ...bcc].filter(Boolean);
  if (new Set(all).size !== all.length) errors.push(error('Each email address in the personalization block should be unique between to, cc, and bcc.', 'personalizations.0'));
  const replyTo = emails(body.reply_to_list, 'reply_to_list', errors);
  if (typeof body.subject !== 'string' || body.subject === '') errors.push(error('The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.', 'subject'));

  const content = Array.isArray(body.content) ? (body.content as Json[]) : [];
  if (content.length === 0) errors.push(error('Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.', 'content'));
  content.forEach((block, index) => {
    if (typeof block.value !== 'string' || block.value === '') errors.push(error('The content value must be a string at least one character in length.', `content.${index}.value`));
  });
  const types = content.map((block) => block.type);
  if (types.includes('text/plain') && types[0] !== 'text/plain') errors.push(error('If present, text/plain content must be first, followed by text/html, followed by any other content.', 'content'));

  const attachments = (Array.isArray(body.attachments) ? (body.attachments as Json[]) : []).map((a, index) => {
    if (typeof a.filename !== 'string' || a.filename === '') errors.push(error('The attachment filename parameter is required.', `attachments.${index}.filename`));
    if (typeof a.content !== 'string' || !BASE64.test(a.content)) errors.push(error('The attachment content must be base64 encoded.', `attachments.${index}.content`));
    return { filename: String(a.filename ?? ''), contentType: typeof a.type === 'string' ? a.type : 'application/octet-stream', content: Buffer.from(String(a.content ?? ''), 'base64') };
  });
  const headers = (typeof body.headers === 'object' && body.headers !== null ? body.headers : {}) as Record<string, string>;
  for (const name of Object.keys(headers)) if (RESERVED_HEADERS.has(name.toLowerCase())) errors.push(error(`The "${name}" header is reserved.`, 'headers'));
  const categories = Array.isArray(body.categories) ? (body.categories as unknown[]) : [];
  if (categories.length > 10 || categories.some((c) => typeof c !== 'string' || c.length > 255)) errors.push(error('Categories must be at most 10 strings of at most 255 characters.', 'categories'));
  const customArgs = (typeof body.custom_args === 'object' && body.custom_args !== null ? body.custom_args : {}) as Record<string, unknown>;
  if (Object.values(customArgs).some((v) => typeof v !== 'string')) errors.push(error('Custom args values must be strings.', 'custom_args'));
  if (errors.length > 0) return { errors };

  const value = (type: string) => (content.find((block) => block.type === type)?.value as string | undefined) ?? null;
  return {
    mail: {
      messageId, from: String(from).toLowerCase(), to, cc, bcc, replyTo, subject: String(body.subject),
      text: value('text/plain'), html: value('text/html'), attachments, headers,
      categories: categories as string[], customArgs: customArgs as Record<string, string>, body,
    },
  };
}
