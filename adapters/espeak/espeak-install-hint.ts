import { DomainError } from '../../ports/errors.js';

export const ESPEAK_INSTALL_COMMAND = 'apt-get install espeak-ng';

/** espeak-ng cannot be started: say exactly how to install it. */
export function espeakMissing(binary: string, code: 'PLUGIN_INVALID' | 'PROVIDER_UNAVAILABLE'): DomainError {
  return new DomainError(
    code,
    `tts: the espeak adapter needs the espeak-ng program, and "${binary}" cannot be run (not installed, not on PATH, or not executable).`,
    `Install it with: ${ESPEAK_INSTALL_COMMAND} (Debian/Ubuntu; Alpine: apk add espeak-ng; macOS: brew install espeak-ng), or set the binary option of tts to its path.`,
    { provider: 'espeak', binary },
  );
}
