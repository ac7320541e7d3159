/** Demo mode runs for days: mocks keep only their most recent records. */
export const MOCK_HISTORY_LIMIT = 1000;

export function keepRecent<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MOCK_HISTORY_LIMIT) list.splice(0, list.length - MOCK_HISTORY_LIMIT);
}

/** Adds to a map, forgetting the oldest entries (insertion order) beyond the limit. */
export function rememberRecent<K, V>(map: Map<K, V>, key: K, value: V, limit = MOCK_HISTORY_LIMIT * 10): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= limit) break;
    map.delete(oldest);
  }
}
