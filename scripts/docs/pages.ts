import type { UseCase } from '../../core/use-case.js';
import { DEMO_USE_CASES, USE_CASES } from '../../core/use-cases.js';
import { openApiDocument } from '../../hosts/http/openapi.js';
import { ConfirmationPolicy } from '../../hosts/shared/confirmation.js';
import { HTTP_STATUS, codesByHttpStatus } from '../../hosts/shared/error-mapping.js';
import { BUILT_IN_PLUGINS } from '../../plugins/built-in.js';
import { ERROR_CODES } from '../../ports/errors.js';
import { PORT_NAMES, type PluginDefinition } from '../../ports/plugin.js';
import { ERROR_GUIDE } from './error-guide.js';
import { mdTable } from './markdown.js';
import { fieldRows, typeOf } from './schema-rows.js';

/** A page of docs/ with a generated part: the file, and how to render that part from the code. */
export interface GeneratedPage {
  file: string;
  render(): Promise<string>;
}

// As the hosts publish them with the default config: tools that need a person's approval carry `confirm`.
const confirmation = new ConfirmationPolicy([...USE_CASES, ...DEMO_USE_CASES]);
const ALL_USE_CASES: ReadonlyArray<{ useCase: UseCase; demoOnly: boolean }> = [
  ...USE_CASES.map((useCase) => ({ useCase: confirmation.publish(useCase), demoOnly: false })),
  ...DEMO_USE_CASES.map((useCase) => ({ useCase: confirmation.publish(useCase), demoOnly: true })),
];

function fieldsTable(schema: unknown): string {
  return mdTable(['field', 'type', 'required', 'default', 'description'], fieldRows(schema as object).map((r) => [`\`${r.name}\``, r.type, r.required ? 'yes' : '', r.default, r.description]));
}

async function mcpTools(): Promise<string> {
  const index = mdTable(['tool', 'toolset', 'who may call it', 'what it does'], ALL_USE_CASES.map(({ useCase, demoOnly }) => [
    `[\`${useCase.name}\`](#${useCase.name})`, useCase.toolset, `${useCase.auth === 'admin' ? 'admin token' : 'agent token (admin with agentId)'}${demoOnly ? ', demo mode only' : ''}`, useCase.title,
  ]));
  const sections = ALL_USE_CASES.map(({ useCase, demoOnly }) => {
    const hints = Object.entries(useCase.annotations).map(([k, v]) => `${k}: ${String(v)}`).join(', ');
    return [
      `## ${useCase.name}`,
      '',
      `**${useCase.title}.** ${useCase.description}`,
      '',
      `- Caller: ${useCase.auth === 'admin' ? 'the admin token' : 'an agent token, or the admin token with `agentId`'}${demoOnly ? '; offered only in demo mode' : ''}`,
      `- Toolset: ${useCase.toolset}`,
      `- REST: \`${useCase.rest.method} /api/v1${useCase.rest.path}\``,
      ...(useCase.untrusted?.length ? [`- Third-party text (\`untrustedFields\`, fenced in MCP text): ${useCase.untrusted.map((path) => `\`${path}\``).join(', ')}`] : []),
      `- Annotations: ${hints || 'none'}`,
      '',
      '**Input**',
      '',
      fieldsTable(useCase.input),
      '**Output** (`structuredContent`)',
      '',
      fieldsTable(useCase.output),
    ].join('\n');
  });
  return [index, ...sections].join('\n');
}

type Operation = { operationId: string; summary: string; tags: string[]; parameters: Array<{ name: string; in: string; required: boolean; schema?: unknown; description?: string }>; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { description: string }> };

async function api(): Promise<string> {
  const document = openApiDocument(ALL_USE_CASES.map((u) => u.useCase), 'http://127.0.0.1:3000') as { paths: Record<string, Record<string, Operation>> };
  const operations = Object.entries(document.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
  const index = mdTable(['method', 'path', 'operation', 'caller'], operations.map(({ path, method, op }) => [method, `\`${path}\``, `[${op.summary}](#${op.operationId})`, op.tags.join(', ')]));
  const errors = mdTable(['HTTP status', 'error codes'], codesByHttpStatus().map(([status, codes]) => [status, codes.map((code) => `\`${code}\``).join(', ')]));
  const sections = operations.map(({ path, method, op }) => {
    const success = Object.keys(op.responses).find((s) => s.startsWith('2'));
    return [
      `### ${op.operationId}`,
      '',
      `\`${method} ${path}\` — ${op.summary} (success: ${success}; the MCP tool of the same name takes the same input)`,
      '',
      ...(op.parameters.length ? ['**Parameters**', '', mdTable(['name', 'in', 'type', 'required', 'description'], op.parameters.map((p) => [`\`${p.name}\``, p.in, typeOf((p.schema ?? {}) as object), p.required ? 'yes' : '', p.description ?? (p.schema as { description?: string } | undefined)?.description]))] : []),
      ...(op.requestBody ? ['**JSON body**', '', fieldsTable(op.requestBody.content['application/json']?.schema)] : []),
    ].join('\n');
  });
  return ['## Routes', '', index, '## Errors', '', 'Every operation answers errors as `{ "error": { "code", "message", "nextStep", "details" }, "requestId" }` with these statuses (causes and fixes: TROUBLESHOOTING.md):', '', errors, '## Operations', '', ...sections].join('\n');
}

async function providers(): Promise<string> {
  const sections: string[] = [];
  for (const port of PORT_NAMES) {
    sections.push(`## ${port}`, '');
    for (const [name, load] of Object.entries(BUILT_IN_PLUGINS[port])) {
      const definition = (await load()).default as PluginDefinition;
      const secrets = definition.secrets ?? [];
      const rows = fieldRows(definition.optionsSchema as object);
      sections.push(
        `### \`use: ${name}\``,
        '',
        ...((definition.optionsSchema as { title?: string }).title ? [`${(definition.optionsSchema as { title: string }).title}.`, ''] : []),
        mdTable(['option', 'type', 'required', 'default', 'secret', 'description'], rows.map((r) => [`\`${r.name}\``, r.type, r.required ? 'yes' : '', r.default, secrets.includes(r.name) || secrets.includes(r.name.split('.').pop()!) ? 'yes' : '', r.description])),
      );
    }
  }
  return sections.join('\n');
}

async function errorCodes(): Promise<string> {
  return mdTable(['code', 'HTTP', 'cause', 'fix'], ERROR_CODES.map((code) => [`\`${code}\``, HTTP_STATUS[code], ERROR_GUIDE[code]?.cause ?? '(undocumented)', ERROR_GUIDE[code]?.fix ?? '(undocumented)']));
}

export const GENERATED_PAGES: readonly GeneratedPage[] = [
  { file: 'docs/MCP-TOOLS.md', render: mcpTools },
  { file: 'docs/API.md', render: api },
  { file: 'docs/PROVIDERS.md', render: providers },
  { file: 'docs/TROUBLESHOOTING.md', render: errorCodes },
];
