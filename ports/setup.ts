/**
 * The first-run setup (terminal wizard `agentos-comms setup`, the web console's setup page): what the
 * operator chose, kept in a config overlay the server reads at its next start, and how far setup went.
 */

/** The messaging channels setup configures a provider for (config sections of the same name). */
export const SETUP_CHANNELS = ['telephony', 'email', 'whatsapp'] as const;
export type SetupChannel = (typeof SETUP_CHANNELS)[number];

/** What the wizard chose: each becomes config (see the store's implementation for the keys). */
export interface SetupChoices {
  publicBaseUrl?: string;
  /** Per channel: the adapter, and the stored credential set it is built with (null for the demo adapter). */
  channels?: Partial<Record<SetupChannel, { provider: string; credentialsRef: string | null }>>;
  /** A usage tier in full (config `usage.tiers.<name>`): the default tier with the limits chosen. */
  defaultTier?: { name: string; limits: Record<string, unknown> };
  /** Quiet hours of the pre-send policy on or off, and their window. */
  quietHours?: { enabled: boolean; start?: string; end?: string };
}

/** Milestones of the setup; ISO times and ids, never personal data. */
export interface SetupProgress {
  /** Set when the operator marked setup done: from then on only the admin token may call the setup tools. */
  completedAt: string | null;
  firstAgentId: string | null;
  testMessageId: string | null;
  /** The public URL that last answered the reachability check, and when. */
  publicUrlChecked: { url: string; at: string } | null;
}

export interface SetupRecord {
  choices: SetupChoices;
  progress: SetupProgress;
  /** Where it is kept (the overlay file), to tell the operator. */
  location: string;
}

export interface SetupStore {
  read(): Promise<SetupRecord>;
  /** Merges the changes into what is kept (choices per key, progress per field) and writes it at once. */
  write(change: { choices?: SetupChoices; progress?: Partial<SetupProgress> }): Promise<SetupRecord>;
}

/** What fetching `<base>/health` answered. */
export type SelfProbeResult =
  | { reached: true; status: number }
  | { reached: false; reason: 'timeout' | 'unreachable' | 'not-this-server'; status?: number; detail: string };

/**
 * Fetches `<baseUrl>/health` from the server itself: does the public address lead back here? Only GET of
 * that one path, no redirects followed, a short timeout, the body read no further than needed.
 */
export interface SelfProbe {
  health(baseUrl: string, timeoutMs: number): Promise<SelfProbeResult>;
}

/** One option of a provider's adapter (docs/PROVIDERS.md), as a setup wizard asks for it. */
export interface ProviderOptionField {
  name: string;
  /** The adapter refuses to start without it. */
  required: boolean;
  /** A secret (auth token, API key): entered hidden, stored encrypted, never shown again. */
  secret: boolean;
  /** Its JSON Schema type (`string`, `integer`, `boolean` …), or `other` for anything composite. */
  type: string;
  description: string | null;
}

/** A provider setup offers for a channel. */
export interface SetupProviderChoice {
  provider: string;
  /** The demo adapter: nothing is delivered, no credentials. */
  demo: boolean;
  fields: ProviderOptionField[];
}

/** The providers a channel can be set up with (the built-in adapters of that port) and what each asks for. */
export interface SetupProviderCatalog {
  choices(channel: SetupChannel): Promise<SetupProviderChoice[]>;
}
