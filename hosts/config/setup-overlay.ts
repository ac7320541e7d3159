import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { SETUP_CHANNELS, type SetupChoices, type SetupProgress, type SetupRecord, type SetupStore } from '../../ports/setup.js';

/** The overlay setup writes: in the data folder, read at start after the embedded defaults and before --config files. */
export function setupOverlayFile(dataDir: string): string {
  return join(dataDir, 'setup.yaml');
}

const HEADER = [
  'Written by `agentos-comms setup` (and the web setup page): the settings the setup chose. Read at start after the',
  'embedded defaults and before the files given with --config, which win. `setup:` records how far setup went.',
].map((line) => `# ${line}`).join('\n');

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const section = (raw: Raw, key: string): Raw => (isObject(raw[key]) ? raw[key] : {});

const NO_PROGRESS: SetupProgress = { completedAt: null, firstAgentId: null, testMessageId: null, publicUrlChecked: null };

/** The config keys the choices become, and back: the file stays a plain config overlay. */
function choicesOf(raw: Raw): SetupChoices {
  const choices: SetupChoices = {};
  if (typeof raw.publicBaseUrl === 'string') choices.publicBaseUrl = raw.publicBaseUrl;
  for (const channel of SETUP_CHANNELS) {
    const spec = section(raw, channel);
    if (typeof spec.use === 'string') (choices.channels ??= {})[channel] = { provider: spec.use, credentialsRef: typeof spec.credentialsRef === 'string' ? spec.credentialsRef : null };
  }
  const [tier] = Object.entries(section(section(raw, 'usage'), 'tiers'));
  if (tier && isObject(tier[1])) choices.defaultTier = { name: tier[0], limits: tier[1] };
  const quiet = section(section(raw, 'compliance'), 'quietHours');
  if (typeof quiet.enabled === 'boolean') {
    const window = section(quiet, 'window');
    choices.quietHours = { enabled: quiet.enabled, ...(typeof window.start === 'string' ? { start: window.start } : {}), ...(typeof window.end === 'string' ? { end: window.end } : {}) };
  }
  return choices;
}

function applyChoices(raw: Raw, choices: SetupChoices): void {
  if (choices.publicBaseUrl !== undefined) raw.publicBaseUrl = choices.publicBaseUrl;
  for (const [channel, choice] of Object.entries(choices.channels ?? {})) {
    // A whole section: a channel switched to another provider keeps none of the old one's options.
    raw[channel] = choice.credentialsRef ? { use: choice.provider, credentialsRef: choice.credentialsRef } : { use: choice.provider };
  }
  if (choices.defaultTier) raw.usage = { ...section(raw, 'usage'), defaultTier: choices.defaultTier.name, tiers: { [choices.defaultTier.name]: choices.defaultTier.limits } };
  if (choices.quietHours) {
    const { enabled, start, end } = choices.quietHours;
    const compliance = section(raw, 'compliance');
    const window = start && end ? { window: { start, end } } : {};
    raw.compliance = { ...compliance, quietHours: { ...section(compliance, 'quietHours'), enabled, ...window } };
  }
}

/** setup.yaml as the setup store: one writer per process, each write whole (temp file, then rename). */
export class SetupOverlayStore implements SetupStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  private readRaw(): Raw {
    if (!existsSync(this.file)) return {};
    const value: unknown = parseYaml(readFileSync(this.file, 'utf8'));
    return isObject(value) ? value : {};
  }

  private record(raw: Raw): SetupRecord {
    const progress = { ...NO_PROGRESS, ...section(raw, 'setup') } as SetupProgress;
    return { choices: choicesOf(raw), progress, location: this.file };
  }

  async read(): Promise<SetupRecord> {
    return this.record(this.readRaw());
  }

  write(change: { choices?: SetupChoices; progress?: Partial<SetupProgress> }): Promise<SetupRecord> {
    const next = this.queue.then(() => {
      const raw = this.readRaw();
      if (change.choices) applyChoices(raw, change.choices);
      if (change.progress) raw.setup = { ...section(raw, 'setup'), ...change.progress };
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, `${HEADER}\n${stringify(raw)}`, { mode: 0o600 });
      renameSync(temp, this.file);
      return this.record(raw);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
