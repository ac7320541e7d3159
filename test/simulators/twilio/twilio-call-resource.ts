import { API_VERSION, rfc2822, twilioPrice } from './twilio-message-resource.js';

/** What the callee heard from one `<Play>`: the file as downloaded and checked. */
export interface PlayedAudio {
  url: string;
  /** The Content-Type the file was served with. */
  contentType: string;
  /** Length of the downloaded body. */
  bytes: number;
  /** Playing time of one pass, from the WAV header or the MPEG frames. */
  seconds: number;
  /** How many times it was played (`loop`, cut short when the call ended first). */
  times: number;
}

/** Where a `<Dial>` bridged the call. */
export interface DialedNumber {
  number: string;
  callerId: string | null;
}

/** A call of the simulated account: placed through the REST API, or come in to one of its numbers. */
export interface SimulatedCall {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  direction: 'outbound-api' | 'inbound';
  /** Where the instructions come from: inline TwiML, or a URL fetched when the callee answers. */
  twiml: string | null;
  url: string | null;
  method: 'GET' | 'POST';
  statusCallback: string | null;
  statusCallbackMethod: 'GET' | 'POST';
  /** The progress events asked for (initiated, ringing, answered, completed). */
  statusCallbackEvents: string[];
  /** Seconds to let it ring before giving up (`Timeout`, default 60). */
  timeoutSeconds: number;
  machineDetection: string | null;
  record: boolean;
  /** Answering-machine detection's verdict (Twilio's AnsweredBy), once made; null without detection. */
  answeredBy: string | null;
  /** Simulated seconds of the call heard before the instructions were asked for (a machine's greeting, up to its beep). */
  detectedAfterSeconds: number | null;
  /** Set by `<Start><Recording>`: where the finished recording is reported. */
  recordingCallback: { url: string; events: string[] } | null;
  /** Resource status: queued, ringing, in-progress, completed, busy, failed, no-answer, canceled. */
  status: string;
  /** Every <Play> the callee heard, in order. */
  played: PlayedAudio[];
  /** Every <Say> text the callee heard, in order. */
  said: string[];
  /** Every <Dial> run, in order (a transfer to a person). */
  dialed: DialedNumber[];
  /** Connected time in seconds once the call ended after an answer; null before, and for unanswered calls. */
  durationSeconds: number | null;
  /** Decimal string, negative as Twilio bills (`-0.01400`); null until the call completed. */
  price: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date | null;
  endTime: Date | null;
}

export function callUri(accountSid: string, sid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Calls/${sid}.json`;
}

/** The snake_case Call resource of API v2010, as the REST API returns it. */
export function toCallResource(call: SimulatedCall): Record<string, unknown> {
  const base = `/${API_VERSION}/Accounts/${call.accountSid}/Calls/${call.sid}`;
  return {
    account_sid: call.accountSid,
    answered_by: null,
    api_version: API_VERSION,
    caller_name: null,
    date_created: rfc2822(call.dateCreated),
    date_updated: rfc2822(call.dateUpdated),
    direction: call.direction,
    duration: call.durationSeconds === null ? null : String(call.durationSeconds),
    end_time: call.endTime ? rfc2822(call.endTime) : null,
    forwarded_from: null,
    from: call.from,
    from_formatted: formatNanp(call.from),
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: call.price,
    price_unit: 'USD',
    queue_time: '0',
    sid: call.sid,
    start_time: call.startTime ? rfc2822(call.startTime) : null,
    status: call.status,
    subresource_uris: {
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
      payments: `${base}/Payments.json`,
      events: `${base}/Events.json`,
      siprec: `${base}/Siprec.json`,
      streams: `${base}/Streams.json`,
      transcriptions: `${base}/Transcriptions.json`,
      user_defined_message_subscriptions: `${base}/UserDefinedMessageSubscriptions.json`,
      user_defined_messages: `${base}/UserDefinedMessages.json`,
    },
    to: call.to,
    to_formatted: formatNanp(call.to),
    trunk_sid: null,
    uri: `${base}.json`,
  };
}

/** `(555) 010-0000` for North American numbers, as Twilio formats them; others unchanged. */
function formatNanp(number: string): string {
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : number;
}

/** US outbound rate the simulator bills: per started minute, as Twilio does. */
const PRICE_PER_MINUTE_MICROS = 14_000;

export function callPrice(durationSeconds: number): string {
  return twilioPrice(Math.ceil(durationSeconds / 60) * PRICE_PER_MINUTE_MICROS);
}
