import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { AgentCallbackBrain } from './agent-callback-brain.js';
import { agentCallbackBrainOptionsSchema, type AgentCallbackBrainOptions } from './agent-callback-options.js';

/** Each agent answers its own calls' turns at its callback URL, signed with its secret, streaming the words back. */
export default definePlugin<'brain', AgentCallbackBrainOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'brain',
  id: 'agent-callback',
  optionsSchema: agentCallbackBrainOptionsSchema,
  async create(options, ctx) {
    return new AgentCallbackBrain(options, ctx);
  },
});
