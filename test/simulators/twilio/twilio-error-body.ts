/** Twilio's REST error body, exactly as api.twilio.com answers a refused request. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export function twilioError(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** The wording Twilio uses for the refusals the simulator reproduces. */
export const twilioErrors = {
  authenticate: () => twilioError(401, 20003, 'Authenticate'),
  notFound: (path: string) => twilioError(404, 20404, `The requested resource ${path} was not found`),
  missingTo: () => twilioError(400, 21604, "A 'To' phone number is required."),
  invalidTo: (to: string) => twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`),
  missingFrom: () => twilioError(400, 21603, "A 'From' phone number is required."),
  fromNotOwned: (from: string) =>
    twilioError(
      400,
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    ),
  missingBody: () => twilioError(400, 21602, 'Message body is required.'),
  invalidParameter: (name: string) => twilioError(400, 20001, `Invalid ${name}`),
  bodyTooLong: () => twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
  /** Refusals of a well-formed destination (Twilio's magic test numbers produce these). */
  refusedTo: (code: number, to: string, from: string): TwilioErrorBody => {
    switch (code) {
      case 21211:
        return twilioErrors.invalidTo(to);
      case 21612:
        return twilioError(400, 21612, `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`);
      case 21614:
        return twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`);
      case 21610:
        return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
      case 21408:
        return twilioError(400, 21408, `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`);
      default:
        return twilioError(400, code, `The message to ${to} was refused.`);
    }
  },
  serverFault: (status: number): TwilioErrorBody => {
    if (status === 429) return twilioError(429, 20429, 'Too Many Requests');
    if (status === 503) return twilioError(503, 20503, 'Service Unavailable');
    return twilioError(status, 20500, 'Internal Server Error');
  },
};

/** The wording Twilio uses for refused Calls requests (API v2010 `Calls.json`). */
export const twilioCallErrors = {
  missingTo: () => twilioError(400, 21201, "No 'To' number is specified"),
  invalidTo: (to: string) => twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`),
  missingFrom: () => twilioError(400, 21213, "No 'From' number is specified"),
  invalidFrom: (from: string) => twilioError(400, 21212, `Invalid 'From' Phone Number: ${from}`),
  fromNotOwned: (from: string) =>
    twilioError(
      400,
      21210,
      `The source phone number provided, ${from}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.`,
    ),
  missingUrl: () => twilioError(400, 21205, 'Url parameter is required. Please provide a Url, Twiml or ApplicationSid.'),
  invalidUrl: (url: string) => twilioError(400, 21205, `Url is not a valid URL: ${url}`),
  invalidStatusCallback: (url: string) => twilioError(400, 21609, `Invalid StatusCallback url: ${url}`),
  twimlTooLong: () => twilioError(400, 32018, 'Twiml size exceeded maximum allowed value of 4000 characters'),
  /** Realtime changes (hang up, new TwiML) of a call that has already ended. */
  notInProgress: () => twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.'),
  invalidMethod: (name: string, value: string) => twilioError(400, 21200, `${name} must be GET or POST, not ${value}`),
  invalidUpdateStatus: (status: string) => twilioError(400, 21200, `Invalid Status: ${status}. Must be one of: canceled, completed`),
  /** Refusals of a well-formed destination (Twilio's magic test numbers produce these). */
  refusedTo: (code: number, to: string) => {
    switch (code) {
      case 21211:
        return twilioCallErrors.invalidTo(to);
      case 21214:
        return twilioError(400, 21214, `'To' phone number cannot be reached: ${to}`);
      case 21215:
        return twilioError(400, 21215, `Account not authorized to call ${to}. Perhaps you need to enable some international permissions: https://www.twilio.com/console/voice/calls/geo-permissions/low-risk`);
      case 21217:
        return twilioError(400, 21217, `Phone number does not appear to be valid: ${to}`);
      default:
        return twilioError(400, code, `The call to ${to} was refused.`);
    }
  },
};
