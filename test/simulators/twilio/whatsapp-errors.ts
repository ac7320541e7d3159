import { twilioError } from './twilio-error-body.js';

/** Twilio's error for a free-form WhatsApp message outside the 24-hour window (reported on the message, not the API call). */
export const OUTSIDE_WINDOW_CODE = 63016;
export const OUTSIDE_WINDOW_MESSAGE = 'Failed to send freeform message because you are outside the allowed window. Please use a Template.';

/** The wording Twilio uses for refused channel-address and Content API requests on Messages.json. */
export const channelErrors = {
  channelMismatch: () => twilioError(400, 21910, "Invalid From and To pair. From and To should be of the same channel"),
  unknownWhatsAppSender: () => twilioError(400, 63007, "Twilio could not find a Channel with the specified From address"),
  contentSidRequired: () => twilioError(400, 21654, 'ContentSid Required'),
  invalidContentSid: () => twilioError(400, 21655, 'The ContentSid is Invalid'),
  invalidContentVariables: () => twilioError(400, 21656, 'The ContentVariables Parameter is invalid'),
};
