import { rotateCredentialsKey, type RotationReport } from '../../../core/providers/rotate-credentials-key.js';
import { buildApp } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';
import { printResult } from '../output.js';
import { loadCliConfig, OPERATOR } from './load.js';

function reportText(report: RotationReport): string {
  const lines = [
    `stored credentials now under key ${report.keyId}: ${report.rotated} re-encrypted, ${report.alreadyCurrent} already under it, ${report.failed.length} failed`,
    ...report.failed.map((f) => `  FAILED ${f.name}: ${f.code}`),
  ];
  if (report.failed.length > 0) lines.push('Fix the cause (see docs/TROUBLESHOOTING.md for each code) and run `keys rotate` again: it resumes.');
  else if (report.rotated > 0) lines.push('COMMS_CREDENTIALS_KEY_PREVIOUS is no longer needed.');
  return lines.join('\n');
}

/**
 * `keys rotate`: re-encrypts every stored credential set under COMMS_CREDENTIALS_KEY (old ones opened with
 * COMMS_CREDENTIALS_KEY_PREVIOUS). Prints counts and names, never a secret; exit 1 when a set failed.
 */
export async function keys(values: CliValues, [sub]: string[]): Promise<number> {
  if (sub !== 'rotate') {
    console.error('usage: agentos-comms keys rotate (see --help)');
    return 1;
  }
  const app = await buildApp(loadCliConfig(values), OPERATOR);
  try {
    const report = await rotateCredentialsKey(app.ports, { kind: 'admin', id: null }, null);
    printResult(values.json, report, () => reportText(report));
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}
