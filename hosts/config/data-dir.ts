import envPaths from 'env-paths';

/**
 * The per-user data folder (`~/.local/share/agentos-comms` on Linux, or under `$XDG_DATA_HOME`;
 * `~/Library/Application Support/agentos-comms` on macOS; `%LOCALAPPDATA%\agentos-comms\Data` on Windows):
 * the same whichever folder a client starts the server from.
 */
export function defaultDataDir(): string {
  return envPaths('agentos-comms', { suffix: '' }).data;
}
