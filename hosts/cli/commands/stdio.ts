import { buildApp } from '../../composition/build-app.js';
import { runStdioHost } from '../../mcp/stdio-host.js';
import { parseToolsets } from '../../mcp/toolsets.js';
import type { CliValues } from '../cli-options.js';
import { announce, STARTED_EVENT } from '../loader-events.js';
import { loadCliConfig } from './load.js';

export async function stdio(values: CliValues): Promise<number> {
  // A mistyped toolset is reported before anything starts.
  const toolsets = values.toolsets === undefined ? undefined : parseToolsets(values.toolsets);
  const app = await buildApp(loadCliConfig(values), { migrate: true });
  announce(STARTED_EVENT);
  try {
    await runStdioHost(app, process.env.COMMS_AGENT_TOKEN, toolsets);
  } finally {
    await app.close();
  }
  return 0;
}
