import { dateSentFilter } from './date-sent-filter.js';
import { allValues, firstValue, type FormParams } from './form-params.js';
import { newSid, segmentCount, toMessageResource, type SimulatedMessage } from './twilio-message-resource.js';
import { twilioErrors, type TwilioErrorBody } from './twilio-error-body.js';
import { bareNumber, isE164, type SimulatedAccount } from './simulated-account.js';
import { channelOf, onChannel, SimulatedWhatsApp } from './simulated-whatsapp.js';
import { parseContentTemplate } from './whatsapp-content.js';
import { channelErrors } from './whatsapp-errors.js';

export type ApiAnswer = { status: number; body: unknown };

const MAX_BODY_LENGTH = 1600;
/** Statuses of a message that went out: from the first of them on, it has a date_sent. */
const SENT = new Set(['sending', 'sent', 'delivered', 'undelivered', 'read']);

function refused(error: TwilioErrorBody): ApiAnswer {
  return { status: error.status, body: error };
}

/**
 * The Messages resource of API v2010: create, fetch and list, with Twilio's validation rules. SMS/MMS take bare
 * E.164 numbers; WhatsApp takes `whatsapp:+E164` on both sides, and its 24-hour window (see `SimulatedWhatsApp`).
 */
export class SimulatedMessagesApi {
  private readonly whatsapp: SimulatedWhatsApp;

  constructor(
    private readonly account: SimulatedAccount,
    private readonly now: () => Date,
    /** Every accepted message, oldest first. */
    readonly messages: SimulatedMessage[],
  ) {
    this.whatsapp = new SimulatedWhatsApp(account, now, this);
  }

  /** `accepted` is the message whose delivery the simulator should play; null when refused, or failing on its own. */
  create(params: FormParams, accountSid = this.account.accountSid): { answer: ApiAnswer; accepted: SimulatedMessage | null } {
    const rejected = (error: TwilioErrorBody) => ({ answer: refused(error), accepted: null });
    const to = firstValue(params, 'To');
    if (!to) return rejected(twilioErrors.missingTo());
    const channel = channelOf(to);
    if (!channel || !isE164(to)) return rejected(twilioErrors.invalidTo(to));

    const messagingServiceSid = firstValue(params, 'MessagingServiceSid') ?? null;
    let from = firstValue(params, 'From');
    if (!from && !messagingServiceSid) return rejected(twilioErrors.missingFrom());
    if (from && channelOf(from) !== channel) return rejected(channelErrors.channelMismatch());
    if (from && !this.account.ownedNumbers.has(bareNumber(from))) {
      return rejected(channel === 'whatsapp' ? channelErrors.unknownWhatsAppSender() : twilioErrors.fromNotOwned(from));
    }
    // A Messaging Service without From picks a sender from its pool: here, the account's first number.
    from ??= onChannel(channel, [...this.account.ownedNumbers][0] ?? '');

    const content = parseContentTemplate(params);
    if ('error' in content) return rejected(content.error);
    const body = firstValue(params, 'Body') ?? '';
    const mediaUrls = allValues(params, 'MediaUrl');
    if (!body && mediaUrls.length === 0 && !content.template) return rejected(twilioErrors.missingBody());
    if (body.length > MAX_BODY_LENGTH) return rejected(twilioErrors.bodyTooLong());

    const refusal = this.account.refusedDestinations[bareNumber(to)];
    if (refusal !== undefined) return rejected(twilioErrors.refusedTo(refusal, to, from));

    const now = this.now();
    const message: SimulatedMessage = {
      sid: newSid('SM'),
      // The main account's, or a subaccount's when sent with its credentials.
      accountSid,
      messagingServiceSid,
      from,
      to,
      body,
      mediaUrls,
      statusCallback: firstValue(params, 'StatusCallback') ?? null,
      status: 'queued',
      errorCode: null,
      errorMessage: null,
      numSegments: segmentCount(body),
      dateCreated: now,
      dateUpdated: now,
      // Set once the message goes out (`advance`): queued and accepted messages have no date_sent on Twilio.
      dateSent: null,
    };
    this.messages.push(message);
    const answer = { status: 201, body: toMessageResource(message) };
    const failsOnItsOwn = this.whatsapp.accept(message, channel, content.template);
    return { answer, accepted: failsOnItsOwn ? null : message };
  }

  fetch(path: string, sid: string): ApiAnswer {
    const message = this.messages.find((m) => m.sid === sid);
    if (!message) return refused(twilioErrors.notFound(path));
    return { status: 200, body: toMessageResource(message) };
  }

  /** Newest first, like Twilio; `To`/`From`/`DateSent` filter, `Page`/`PageSize` paginate. */
  list(path: string, query: FormParams): ApiAnswer {
    const to = firstValue(query, 'To');
    const from = firstValue(query, 'From');
    const sentWhen = dateSentFilter(query);
    if (!sentWhen) return refused(twilioErrors.invalidParameter('DateSent'));
    const pageSize = Math.min(Math.max(Number(firstValue(query, 'PageSize') ?? 50) || 50, 1), 1000);
    const page = Math.max(Number(firstValue(query, 'Page') ?? 0) || 0, 0);
    const matching = this.messages
      .filter((m) => (!to || m.to === to) && (!from || m.from === from) && sentWhen(m.dateSent))
      .reverse();
    const start = page * pageSize;
    const slice = matching.slice(start, start + pageSize);
    const pageUri = (n: number) => {
      const search = new URLSearchParams();
      for (const name of ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>']) {
        const value = firstValue(query, name);
        if (value !== undefined) search.set(name, value);
      }
      search.set('PageSize', String(pageSize));
      search.set('Page', String(n));
      return `${path}?${search.toString()}`;
    };
    return {
      status: 200,
      body: {
        messages: slice.map(toMessageResource),
        end: start + Math.max(slice.length - 1, 0),
        first_page_uri: pageUri(0),
        next_page_uri: start + pageSize < matching.length ? pageUri(page + 1) : null,
        page,
        page_size: pageSize,
        previous_page_uri: page > 0 ? pageUri(page - 1) : null,
        start,
        uri: pageUri(page),
      },
    };
  }

  /** Moves a message along its lifecycle (the far side's delivery progress). */
  advance(message: SimulatedMessage, status: string, errorCode: number | null, errorMessage: string | null): void {
    message.status = status;
    if (message.dateSent === null && SENT.has(status)) message.dateSent = this.now();
    message.errorCode = errorCode;
    message.errorMessage = errorMessage;
    message.dateUpdated = this.now();
  }
}
