import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DomainError } from '../../ports/errors.js';

function configInvalid(message: string, nextStep: string): DomainError {
  return new DomainError('CONFIG_INVALID', message, nextStep, { plugin: 'vonage' });
}

/**
 * A Vonage application's private key: PEM text as is, anything else a file path relative to the config file's
 * folder. `optionPath` (`telephony.options.privateKey`) names it in errors; the key itself never appears.
 */
export function loadPrivateKey(value: string, configDir: string, optionPath: string): string {
  let pem = value;
  if (!value.includes('-----BEGIN')) {
    try {
      pem = readFileSync(resolve(configDir, value), 'utf8');
    } catch {
      throw configInvalid(
        `${optionPath} is neither PEM text nor a readable key file.`,
        'Set privateKey to the PEM text of the Vonage application\'s private key, or to the path of its .key file.',
      );
    }
  }
  try {
    createPrivateKey(pem);
  } catch {
    throw configInvalid(
      `${optionPath} is not a valid private key.`,
      'Download the application\'s private key again from the Vonage dashboard and configure its PEM text or file path.',
    );
  }
  return pem;
}
