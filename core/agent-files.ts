import type { CorePorts } from './context.js';
import { callFileKeys } from './compliance/contact-files.js';

/**
 * Where core stores an agent's files: under `agents/<agentId>/`, so that a key tells whose file it is. A path given
 * by a caller is a relative path below that folder (`voice/<callId>.wav`).
 */
export function agentFileKey(agentId: string, path: string): string {
  return `agents/${agentId}/${path}`;
}

/** Files stored before keys were owned (`voice/<callId>.wav`, `recordings/<callId>.mp3`): their call names the owner. */
const LEGACY_CALL_FILE = /^(?:voice|recordings)\/([A-Za-z0-9_-]+)\.[a-z0-9]+$/;

/** Plain relative segments only: no `.`/`..`, empty segment or backslash can step from one agent's folder into another's. */
function isPlainKey(key: string): boolean {
  return !key.includes('\\') && key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

async function isOwnedBy(ports: CorePorts, agentId: string, key: string): Promise<boolean> {
  if (!isPlainKey(key)) return false;
  if (key.startsWith(agentFileKey(agentId, ''))) return true;
  const legacy = LEGACY_CALL_FILE.exec(key);
  if (!legacy) return false;
  const call = await ports.db.calls.findById(legacy[1]!);
  return call !== null && call.agentId === agentId && callFileKeys(call).includes(key);
}

/**
 * The stored file `key` names, if it is `agentId`'s: one under the agent's folder, or an older file of one of its
 * calls. Null for a foreign key and for an unknown one alike, so that no agent learns whether another's file exists.
 */
export async function readAgentFile(ports: CorePorts, agentId: string, key: string): Promise<{ bytes: Uint8Array; contentType: string } | null> {
  if (!ports.storage || !(await isOwnedBy(ports, agentId, key))) return null;
  return ports.storage.port.get(key);
}
