import type { ChainReport } from '../../../core/audit/audit-chain.js';
import { buildApp } from '../../composition/build-app.js';
import { givenOnly, type CliValues } from '../cli-options.js';
import { printResult, table } from '../output.js';
import { loadCliConfig, OPERATOR } from './load.js';

const ADMIN = { kind: 'admin' } as const;

interface Entry { seq: number; at: string; actorKind: string; actorId: string | null; action: string; agentId: string | null; targets: Record<string, unknown>; outcome: string }

function reportText(report: ChainReport): string {
  if (report.valid) {
    return report.head
      ? `audit trail intact: ${report.checked} entries, head #${report.head.seq} ${report.head.hash}`
      : 'audit trail is empty';
  }
  const broken = report.firstBreak!;
  const what = broken.problem === 'content-changed'
    ? 'its content or hash was changed after it was written'
    : 'it does not follow the entry before it (an entry was deleted, inserted or moved)';
  return `audit trail BROKEN at entry #${broken.seq} (${broken.id}): ${what}. ${broken.seq - 1} entries before it verify.`;
}

/** `audit verify` (exit 1 when the chain is broken) and `audit list`, through the same use cases as the admin tools. */
export async function audit(values: CliValues, [sub]: string[]): Promise<number> {
  if (sub !== 'verify' && sub !== 'list') {
    console.error('usage: agentos-comms audit verify|list … (see --help)');
    return 1;
  }
  const app = await buildApp(loadCliConfig(values), OPERATOR);
  try {
    if (sub === 'verify') {
      const report = (await app.runner.run('comms_verify_audit_log', ADMIN, {})) as ChainReport;
      printResult(values.json, report, () => reportText(report));
      return report.valid ? 0 : 1;
    }
    const input = givenOnly({ action: values.action, agentId: values.agent, since: values.since, until: values.until, limit: values.limit });
    const { entries } = (await app.runner.run('comms_list_audit_log', ADMIN, input, { coerce: true })) as { entries: Entry[] };
    printResult(values.json, { entries }, () =>
      entries.length === 0
        ? 'no audit entries'
        : table(entries.map((e) => [`#${e.seq}`, `${e.at} ${e.actorKind}${e.actorId ? `:${e.actorId}` : ''} ${e.action} ${e.agentId ?? ''} ${e.outcome} ${JSON.stringify(e.targets)}`])));
    return 0;
  } finally {
    await app.close();
  }
}
