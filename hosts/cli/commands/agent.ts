import { buildApp } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';
import { loadCliConfig } from './load.js';

export async function agent(values: CliValues, [sub]: string[]): Promise<number> {
  if (sub !== 'create') {
    console.error('usage: agentos-comms agent create|list|show|update|disable|rotate-token … (see --help)');
    return 1;
  }
  const app = await buildApp(loadCliConfig(values), { migrate: true });
  try {
    const input = { name: values.name, phone: values.phone, email: values.email, whatsapp: values.whatsapp, callbackUrl: values['callback-url'] };
    const created = (await app.runner.run('comms_create_agent', { kind: 'admin' }, JSON.parse(JSON.stringify(input)))) as Record<string, unknown>;
    console.log(values.json ? JSON.stringify(created) : `agent ${created.agentId as string}\ntoken ${created.token as string} (shown once)`);
  } finally {
    await app.close();
  }
  return 0;
}
