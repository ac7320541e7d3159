import type { ComplianceChannel } from '../../ports/compliance.js';

/** Allowed local hours for calls and texts: from `start` (inclusive) to `end` (exclusive), "HH:MM". */
export interface QuietHoursWindow {
  start: string;
  end: string;
}

/** `compliance:` in config: the server-wide compliance rules (see README, "Compliance"). */
export interface ComplianceSettings {
  optOut: {
    /** `sender`: a STOP applies to the number it was sent to; `operator`: to every agent of this server. */
    scope: 'sender' | 'operator';
    /** Exact messages (case and surrounding spaces ignored) that opt out, opt back in, or ask for help. */
    keywords: { optOut: string[]; optIn: string[]; help: string[] };
    /** Replies to those keywords; empty: none. */
    replies: { optOut: string; optIn: string; help: string };
    /**
     * Who answers the keywords on SMS: `server` (this server sends the reply), `provider` (the provider
     * answers itself, as Twilio does by default). WhatsApp replies always come from this server.
     */
    smsReplies: 'server' | 'provider';
  };
  quietHours: {
    enabled: boolean;
    /** The default window, in the recipient's local time. */
    window: QuietHoursWindow;
    /** Windows by ISO country code of the recipient's number, over the default. */
    countries: Record<string, QuietHoursWindow>;
    channels: ComplianceChannel[];
    /** A reply within this many hours of the person's last message is allowed at any hour (0: never). */
    replyWindowHours: number;
  };
  consent: {
    /** Channels on which marketing sends need a recorded, granted marketing consent. */
    requiredForMarketing: ComplianceChannel[];
  };
  email: {
    /** The operator's postal address, put in the footer of marketing emails (CAN-SPAM). */
    physicalAddress: string | null;
  };
  content: {
    /** `block`: refuse with CONTENT_BLOCKED; `flag`: send and log the rule; `off`: no screening. */
    mode: 'block' | 'flag' | 'off';
  };
  recordingConsent: {
    /** ISO country codes whose law asks every party's consent to record; `*`: everywhere. */
    allPartyJurisdictions: string[];
    /** Said before recording where consent is required (unless the server's voice settings say otherwise). */
    announcement: string;
  };
}
