import { checkAudio, HTTP_RETRIEVAL_FAILURE, mediaType } from './audio-file-check.js';
import { voiceRequestForm, type CallParties } from './call-webhook-forms.js';
import { isLoopbackHttpUrl, loopbackGet } from './loopback-get.js';
import { postWebhook, signTwilioWebhook, type SignatureMode } from './twilio-webhook-signing.js';

/** Twilio 11100 "Invalid URL format" (a <Play> body that is not an absolute http(s) URL). */
export const INVALID_URL_FORMAT = 11100;
/** Twilio 12100 "Document parse failure". */
export const DOCUMENT_PARSE_FAILURE = 12100;
/** Twilio 12300 "Invalid Content-Type" (a TwiML URL that did not answer with XML). */
export const INVALID_CONTENT_TYPE = 12300;

const TWIML_TYPES = new Set(['text/xml', 'application/xml']);
const MAX_MEDIA_BYTES = 16 * 1024 * 1024;
/** Twilio's 64 kB limit on a TwiML answer (error 11750). */
const MAX_TWIML_BYTES = 64 * 1024;

export type Fetched<T> = ({ ok: true } & T) | { ok: false; errorCode: number; reason: string };

/** A request the far side made to a call's `Url`, with the answer it got. */
export interface RecordedVoiceRequest {
  callSid: string;
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  headers: Record<string, string>;
  status: number | null;
  error: string | null;
}

export interface CalleeFetcherOptions {
  /** The auth token of the call's account (a subaccount's own for its calls). */
  tokenOf(accountSid: string): string;
  timeoutMs: number;
  /** How long one pass of an audio type the simulator does not inspect (AIFF, GSM, μ-law) lasts. */
  defaultAudioSeconds: number;
  record(request: RecordedVoiceRequest): void;
}

/** The far side's HTTP: TwiML from a call's Url (signed, as Twilio signs it) and <Play> files. */
export class CalleeFetcher {
  constructor(private readonly options: CalleeFetcherOptions) {}

  /** `form` defaults to the voice request of the call; a `<Connect action>` request passes its own. */
  async twiml(
    call: CallParties,
    url: string,
    method: 'GET' | 'POST',
    signature: SignatureMode = 'valid',
    form: Record<string, string> = voiceRequestForm(call),
  ): Promise<Fetched<{ twiml: string }> & { request: RecordedVoiceRequest }> {
    const params = form;
    const record: RecordedVoiceRequest = { callSid: call.sid, url, method, params, headers: {}, status: null, error: null };
    this.options.record(record);
    let status: number;
    let contentType: string | undefined;
    let body: string;
    try {
      if (method === 'POST') {
        const webhook = signTwilioWebhook(this.options.tokenOf(call.accountSid), url, params, signature);
        record.headers = webhook.headers;
        const answer = await postWebhook(webhook, this.options.timeoutMs);
        ({ status, body } = answer);
        contentType = answer.headers['content-type'];
      } else {
        // GET carries the fields in the query string; the signature covers that full URL and no body.
        const target = new URL(url);
        for (const [key, value] of Object.entries(params)) target.searchParams.append(key, value);
        const signed = signTwilioWebhook(this.options.tokenOf(call.accountSid), target.toString(), {}, signature);
        record.url = target.toString();
        record.headers = { 'x-twilio-signature': signed.headers['x-twilio-signature'] ?? '', 'user-agent': 'TwilioProxy/1.1' };
        const answer = await loopbackGet(target.toString(), record.headers, this.options.timeoutMs, MAX_TWIML_BYTES);
        status = answer.status;
        body = answer.body.toString('utf8');
        contentType = answer.headers['content-type'];
      }
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      return { ok: false, errorCode: HTTP_RETRIEVAL_FAILURE, reason: `no answer from ${url}: ${record.error}`, request: record };
    }
    record.status = status;
    if (status < 200 || status >= 300) return { ok: false, errorCode: HTTP_RETRIEVAL_FAILURE, reason: `${url} answered HTTP ${status}`, request: record };
    if (!TWIML_TYPES.has(mediaType(contentType))) {
      return { ok: false, errorCode: INVALID_CONTENT_TYPE, reason: `${url} answered Content-Type "${contentType ?? ''}", not TwiML`, request: record };
    }
    return { ok: true, twiml: body, request: record };
  }

  /** Downloads a <Play> file and checks that its bytes are audio of the type it was served as. */
  async audio(url: string): Promise<Fetched<{ contentType: string; bytes: number; seconds: number }>> {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      return { ok: false, errorCode: INVALID_URL_FORMAT, reason: `"${url.slice(0, 200)}" is not an absolute http(s) URL` };
    }
    if (!isLoopbackHttpUrl(url)) {
      return { ok: false, errorCode: HTTP_RETRIEVAL_FAILURE, reason: `the simulator fetches loopback http:// URLs only, not ${url}` };
    }
    let answer;
    try {
      answer = await loopbackGet(url, { 'user-agent': 'TwilioProxy/1.1', accept: '*/*' }, this.options.timeoutMs, MAX_MEDIA_BYTES);
    } catch (err) {
      return { ok: false, errorCode: HTTP_RETRIEVAL_FAILURE, reason: `could not download ${url}: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (answer.status < 200 || answer.status >= 300) {
      return { ok: false, errorCode: HTTP_RETRIEVAL_FAILURE, reason: `${url} answered HTTP ${answer.status}` };
    }
    const contentType = answer.headers['content-type'] ?? '';
    const check = checkAudio(contentType, answer.body, this.options.defaultAudioSeconds);
    if (!check.ok) return check;
    return { ok: true, contentType, bytes: answer.body.length, seconds: check.seconds };
  }
}
