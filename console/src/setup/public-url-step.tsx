import { useRef } from 'preact/hooks';
import { api } from '../api.js';
import { Done, Field, Problem } from './form-parts.js';
import { stepDetail, type StepProps } from './setup-types.js';
import { useAction } from '../use-action.js';

/** Step 2: the address providers reach this server at, checked by the server fetching its own /health through it. */
export function PublicUrlStep({ status, refresh }: StepProps) {
  const check = useAction<{ url: string; status: number }>();
  const keep = useAction<{ overlay: string }>();
  const allDemo = status.channels.every((c) => c.provider === null || c.demo);
  // The URL last checked: what "keep anyway" keeps.
  const tried = useRef(status.publicBaseUrl);

  const submit = (e: Event) => {
    e.preventDefault();
    const url = String(new FormData(e.currentTarget as HTMLFormElement).get('url') ?? '').trim();
    tried.current = url;
    keep.reset();
    void check.run(async () => {
      const reached = await api<{ url: string; status: number }>('POST', '/setup/public-url', { url });
      await refresh();
      return reached;
    });
  };
  // A URL that does not answer yet (the tunnel is not up) may still be kept: webhooks need it later.
  const keepAnyway = () => void keep.run(async () => {
    const written = await api<{ overlay: string }>('POST', '/setup/config', { publicBaseUrl: tried.current });
    await refresh();
    return written;
  });

  return (
    <>
      <p>Providers deliver replies and status reports to this address (webhooks). The server checks it by fetching
        <code> &lt;url&gt;/health</code> through it: the answer must come from this server.</p>
      {allDemo ? <p class="banner">Demo mode: no provider needs to reach this server, so this step may be skipped.</p> : null}
      <p class="hint">Now: {stepDetail(status, 'publicUrl')}</p>
      <form class="form" onSubmit={submit}>
        <Field id="public-url" name="url" label="Public URL" type="url" required defaultValue={status.publicBaseUrl}
          hint="e.g. https://comms.example.com, or your tunnel's address" error={check.error} errorId="public-url-problem" />
        <button type="submit" disabled={check.busy}>{check.busy ? 'Checking…' : 'Check the public URL'}</button>
      </form>
      <Problem id="public-url-problem" error={check.error} />
      {check.error ? <button type="button" onClick={keepAnyway} disabled={keep.busy}>Keep this URL anyway</button> : null}
      <Problem id="public-url-keep-problem" error={keep.error} />
      <Done>
        {check.result ? `${check.result.url}/health answered (HTTP ${check.result.status}): providers can reach this server.` : null}
        {keep.result ? <>Kept without a check, in {keep.result.overlay}. Run <code>agentos-comms doctor</code> once the address is up.</> : null}
      </Done>
    </>
  );
}
