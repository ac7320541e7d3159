import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Done, Problem } from './form-parts.js';
import { ProviderFields, credentialsFrom } from './provider-fields.js';
import type { ProviderChoice, SetupChannel, StepProps } from './setup-types.js';
import { useAction } from '../use-action.js';

const CHANNEL_TITLES: Record<SetupChannel, string> = { telephony: 'SMS and voice (telephony)', email: 'Email', whatsapp: 'WhatsApp' };

interface Saved { channel: string; provider: string; credentialsRef: string | null; verified: string | null }

/** A stored credential set's name not taken yet: setup-<channel>, setup-<channel>-2 … (as the terminal wizard picks). */
async function freeName(channel: SetupChannel): Promise<string> {
  const { providers } = await api<{ providers: Array<{ name: string }> }>('GET', '/providers');
  const taken = new Set(providers.map((p) => p.name));
  let name = `setup-${channel}`;
  for (let i = 2; taken.has(name); i += 1) name = `setup-${channel}-${i}`;
  return name;
}

/** Step 1: each channel's provider. Real credentials are verified live by the provider and stored encrypted. */
export function ProvidersStep({ status, refresh, choices }: StepProps) {
  if (!choices) return <p>Loading the providers…</p>;
  return (
    <>
      <p>Choose who delivers each channel. <strong>mock</strong> is the demo adapter: nothing leaves this server and no credentials are needed.
        Credentials of a real provider are checked with it at once (a free authenticated read, as <code>comms_register_provider</code> and
        <code> doctor</code> do) and stored encrypted; the server uses them from its next start.</p>
      {choices.channels.map(({ channel, choices: offered }) => (
        <ChannelForm key={channel} channel={channel} offered={offered} current={status.channels.find((c) => c.channel === channel)?.provider ?? null} refresh={refresh} />
      ))}
    </>
  );
}

function ChannelForm({ channel, offered, current, refresh }: { channel: SetupChannel; offered: ProviderChoice[]; current: string | null; refresh: StepProps['refresh'] }) {
  const [provider, setProvider] = useState(current ?? 'mock');
  const save = useAction<Saved>();
  const choice = offered.find((c) => c.provider === provider);
  const errorId = `${channel}-problem`;

  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    void save.run(async () => {
      const body = choice?.demo
        ? { channel, provider }
        : { channel, provider, credentials: credentialsFrom(form, choice?.fields ?? []), name: await freeName(channel) };
      const saved = await api<Saved>('POST', '/setup/providers', body);
      // Stored encrypted now: the secrets need not stay in the page.
      for (const input of form.querySelectorAll('input')) input.value = '';
      await refresh();
      return saved;
    });
  };

  return (
    <form class="form channel" onSubmit={submit} aria-labelledby={`${channel}-legend`}>
      <h3 id={`${channel}-legend`}>{CHANNEL_TITLES[channel]}</h3>
      <p class="span hint">Now: {current ? `${current}${current === 'mock' ? ' (demo)' : ''}` : 'off'}</p>
      <label for={`${channel}-provider`}>{CHANNEL_TITLES[channel]} provider</label>
      <select id={`${channel}-provider`} name="provider" value={provider} onChange={(e) => { setProvider((e.target as HTMLSelectElement).value); save.reset(); }}>
        {offered.map((c) => <option key={c.provider} value={c.provider}>{c.demo ? `${c.provider} (demo: nothing is delivered)` : c.provider}</option>)}
      </select>
      {choice && !choice.demo ? <ProviderFields channel={channel} choice={choice} error={save.error} errorId={errorId} /> : null}
      <button type="submit" disabled={save.busy}>{choice?.demo ? `Use the demo adapter for ${channel}` : `Verify and save ${channel} credentials`}</button>
      <div class="span">
        <Problem id={errorId} error={save.error} />
        <Done>{save.result ? `${save.result.verified
          ? `${channel}: ${save.result.provider} accepted the credentials (${save.result.verified}); stored as "${save.result.credentialsRef}".`
          : `${channel}: demo adapter chosen (nothing is delivered).`} Takes effect when the server starts again.` : null}</Done>
      </div>
    </form>
  );
}
