/**
 * Voice identifiers from `espeak-ng --voices`: the Language column (`en-us`, `fr-fr` …) and the languages a
 * voice also answers to, listed as `(en 3)` at the end of the line. Variant names come from
 * `espeak-ng --voices=variant` (the File column after `!v/`: `f3`, `Alicia` …).
 */
export function parseVoiceList(output: string): string[] {
  const names = new Set<string>();
  for (const line of output.split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 4 || !/^\d+$/.test(columns[0] ?? '') || columns[1] === 'variant') continue;
    names.add(columns[1] ?? '');
    for (const alias of line.matchAll(/\((\S+) \d+\)/g)) names.add(alias[1] ?? '');
  }
  names.delete('');
  return [...names];
}

export function parseVariantList(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /\s!v\/(\S+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** Languages and variants by lower-cased name, for case-insensitive lookup of `<voice>[+<variant>]`. */
export class EspeakVoices {
  private readonly voices: Map<string, string>;
  private readonly variants: Map<string, string>;

  constructor(voices: readonly string[], variants: readonly string[]) {
    this.voices = new Map(voices.map((v) => [v.toLowerCase(), v]));
    this.variants = new Map(variants.map((v) => [v.toLowerCase(), v]));
  }

  get size(): number {
    return this.voices.size;
  }

  /** The spelling espeak-ng knows, or null when it has no such voice (or variant). */
  resolve(requested: string): string | null {
    const [voice = '', variant, ...rest] = requested.split('+');
    if (rest.length > 0) return null;
    const known = this.voices.get(voice.toLowerCase());
    if (!known) return null;
    if (variant === undefined) return known;
    const knownVariant = this.variants.get(variant.toLowerCase());
    return knownVariant ? `${known}+${knownVariant}` : null;
  }

  /** A few names for error messages. */
  examples(): string[] {
    return ['en-us', 'en-gb', 'fr-fr', 'de', 'es'].filter((v) => this.voices.has(v));
  }
}
