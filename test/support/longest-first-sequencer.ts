import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, so that the run does not end on one long file while the other workers idle. Vitest does
 * this itself from the durations of the last run (kept in cacheDir), but orders files it has no duration for by
 * size, which puts short files with many cases first and the e2e files (child processes, a browser, an npm
 * install: minutes) last. Here a file without a duration counts as long when it is an e2e file, as short
 * otherwise; files with one are ordered by it.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const expected = (spec: TestSpecification): number => {
      const path = relative(this.ctx.config.root, spec.moduleId);
      const last = cache.getFileTestResults(`${spec.project.name}:${path}`);
      if (last?.failed) return Number.POSITIVE_INFINITY;
      if (last) return last.duration;
      return path.startsWith('test/e2e/') ? Number.MAX_SAFE_INTEGER : 0;
    };
    const durations = new Map(files.map((spec) => [spec, expected(spec)]));
    // Vitest's own order (by size) breaks the ties among files without a duration.
    const bySize = await super.sort(files);
    return bySize.map((spec, i) => ({ spec, i })).sort((a, b) => durations.get(b.spec)! - durations.get(a.spec)! || a.i - b.i).map(({ spec }) => spec);
  }
}
