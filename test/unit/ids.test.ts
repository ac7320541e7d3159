import { describe, expect, it } from 'vitest';
import { TimeSortableIds } from '../../adapters/node/time-sortable-ids.js';

describe('time-sortable ids', () => {
  it('are prefixed, URL-safe, unique across pool refills, and sort by creation time', async () => {
    const ids = new TimeSortableIds();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(ids.next('msg'));
    expect(seen.size).toBe(2000);
    for (const id of seen) expect(id).toMatch(/^msg_[0-9a-hjkmnp-tv-z]{26}$/);
    const earlier = ids.next('msg');
    await new Promise((r) => setTimeout(r, 5));
    expect(ids.next('msg') > earlier).toBe(true);
  });
});
