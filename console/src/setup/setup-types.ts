/** The setup REST answers the wizard reads (GET /api/v1/setup, GET /api/v1/setup/providers; see /openapi.json). */
export type SetupStepName = 'providers' | 'publicUrl' | 'database' | 'firstAgent' | 'number' | 'defaults' | 'testMessage';
export type SetupChannel = 'telephony' | 'email' | 'whatsapp';

export interface SetupStatus {
  done: boolean;
  completedAt: string | null;
  steps: Array<{ step: SetupStepName; done: boolean; detail: string }>;
  channels: Array<{ channel: SetupChannel; provider: string | null; credentialsRef: string | null; demo: boolean }>;
  publicBaseUrl: string;
  firstAgentId: string | null;
  testMessage: { messageId: string; status: string; arrived: boolean } | null;
  database: { dialect: string; location: string | null };
  defaults: { tier: string; currency: string; spendPerDay: string | null; spendPerMonth: string | null; quietHours: { enabled: boolean; start: string; end: string } };
  overlay: string;
}

export interface OptionField { name: string; required: boolean; secret: boolean; type: string; description: string | null }
export interface ProviderChoice { provider: string; demo: boolean; fields: OptionField[] }
export interface ProviderChoices { channels: Array<{ channel: SetupChannel; choices: ProviderChoice[] }> }

/** What every step gets: the status, a way to reload it after a change, and the way on. */
export interface StepProps {
  status: SetupStatus;
  refresh: () => Promise<SetupStatus>;
  /** The providers each channel offers (GET /setup/providers); null while loading. */
  choices: ProviderChoices | null;
}

export const stepDone = (status: SetupStatus, step: SetupStepName): boolean => status.steps.some((s) => s.step === step && s.done);
export const stepDetail = (status: SetupStatus, step: SetupStepName): string => status.steps.find((s) => s.step === step)?.detail ?? '';
/** Demo mode for the wizard: SMS runs on the demo adapter, so demo numbers and the demo contact exist. */
export const smsIsDemo = (status: SetupStatus): boolean => status.channels.some((c) => c.channel === 'telephony' && c.demo);
