import { createRequire } from 'node:module';
import type * as ObscenityModule from 'obscenity';
import type { DataSet, RegExpMatcher } from 'obscenity';
import type { ContentFilter, ContentFinding } from '../../ports/content-filter.js';

/** Rules of the built-in filter; `operator-list` is added when the operator lists words. */
export const CONTENT_RULES = ['threat', 'harassment', 'profanity'] as const;
export type ContentRule = (typeof CONTENT_RULES)[number];

/**
 * Threats of violence and harassment of the person addressed, as phrases (obscenity patterns: `|` is a
 * word boundary, `?` any one character). Written for what an agent might be made to send, not for
 * every insult: profanity and slurs come from obscenity's maintained English data set.
 */
const THREATS = [
  '|kill you|', '|kill u|', '|murder you|', '|shoot you|', '|stab you|', '|hurt you|', '|beat you up', '|break your legs',
  '|burn your house', '|burn down your', '|you will die|', '|you are going to die|', '|you\'re going to die|', '|i know where you live',
  '|watch your back|', '|you will regret|', '|find you and',
];
const HARASSMENT = [
  '|kill yourself', '|kill urself', '|kys|', '|go die', '|you should die', '|nobody loves you', '|no one loves you',
  '|you are worthless', '|you\'re worthless', '|you are pathetic', '|you\'re pathetic', '|you disgust me', '|i will ruin you', '|ruin your life',
];

type Obscenity = typeof ObscenityModule;

function phrases({ DataSet, parseRawPattern }: Obscenity, list: readonly string[]): DataSet<Record<string, never>> {
  const set = new DataSet<Record<string, never>>();
  for (const phrase of list) set.addPhrase((p) => p.addPattern(parseRawPattern(phrase)));
  return set;
}

/** Operator words as whole-word patterns; obscenity's pattern syntax characters are taken literally. */
function wordList({ DataSet, parseRawPattern }: Obscenity, words: readonly string[]): DataSet<Record<string, never>> {
  const set = new DataSet<Record<string, never>>();
  for (const word of words.map((w) => w.trim().toLowerCase()).filter(Boolean)) {
    set.addPhrase((p) => p.addPattern(parseRawPattern(`|${word.replace(/[[\]?|\\]/g, '\\$&')}|`)));
  }
  return set;
}

export interface ObscenityContentFilterOptions {
  /** Built-in rules to apply (default all). */
  rules?: readonly ContentRule[];
  /** The operator's own words and phrases (rule `operator-list`). */
  words?: readonly string[];
}

/**
 * The content filter on obscenity (https://github.com/jo3-l/obscenity): its English profanity data set
 * and recommended transformers (l33t speak, repeated and confusable characters, so "sh1t" matches while
 * "Scunthorpe" does not), plus threat and harassment phrases and the operator's list.
 *
 * obscenity is loaded and the matchers built at the first check, not at start-up (issue 13): building
 * them is a share of a start, and a server that sends nothing never needs them.
 */
export class ObscenityContentFilter implements ContentFilter {
  private matchers: RuleMatcher[] | undefined;

  constructor(private readonly options: ObscenityContentFilterOptions = {}) {}

  check(text: string): ContentFinding[] {
    this.matchers ??= buildMatchers(this.options).map(({ rule, matcher }) => ({ rule, matcher, mayMatch: quickScreen(matcher) }));
    const punctuated = withoutWordFinalBangs(text);
    const readings = punctuated === text ? [text] : [text, punctuated];
    return this.matchers
      .filter((m) => readings.some((t) => m.mayMatch(t) && m.matcher.getAllMatches(t).some((match) => hasLetter(t, match))))
      .map((m) => ({ rule: m.rule }));
  }
}

/**
 * The text with every "!" that ends a word turned into a space (same length, so match positions hold).
 * l33t speak reads "!" as "i" ("sh!t"), which made "kill you!" read "kill youi" and slip past the
 * whole-word phrase; the filter checks both readings, so a "!" standing for a letter still counts.
 */
function withoutWordFinalBangs(text: string): string {
  return text.includes('!') ? text.replace(/(?<=\p{L})!+(?=[\s\p{P}]|$)/gu, (bangs) => ' '.repeat(bangs.length)) : text;
}

interface RuleMatcher {
  rule: string;
  matcher: RegExpMatcher;
  /** False only when no term of the matcher can match the text (see quickScreen). */
  mayMatch: (text: string) => boolean;
}

/**
 * The parts of obscenity's RegExpMatcher (0.4.x) the quick screen reads: declared private in its types,
 * so they are checked at run time and the screen is skipped if a version lacks them.
 */
interface MatcherInternals {
  blacklistedTerms?: Array<{ regExp?: unknown }>;
  blacklistMatcherTransformers?: unknown;
  applyTransformers?: (input: string, transformers: unknown) => [number[], string];
}

/**
 * A screen that answers "no term can match" for the clean text nearly every send carries, at a tenth of
 * the cost of getAllMatches: that runs each term's RegExp through its own `matchAll` (a clone and an
 * iterator per term, over a hundred terms) after two transformer passes. Here the text is transformed
 * once and tried against one RegExp, the alternation of every term's own. No match there means no match
 * for any term (the same patterns on the same transformed text), so nothing is missed; a match sends the
 * text on to getAllMatches, which applies the whitelist and reports positions as before.
 */
function quickScreen(matcher: RegExpMatcher): (text: string) => boolean {
  const internals = matcher as unknown as MatcherInternals;
  const terms = internals.blacklistedTerms;
  const transform = internals.applyTransformers;
  if (!Array.isArray(terms) || typeof transform !== 'function' || !terms.every((t) => t.regExp instanceof RegExp)) return () => true;
  const flags = new Set((terms as Array<{ regExp: RegExp }>).map((t) => t.regExp.flags.replace('g', '')));
  if (flags.size > 1) return () => true;
  const anyTerm = new RegExp((terms as Array<{ regExp: RegExp }>).map((t) => `(?:${t.regExp.source})`).join('|') || '(?!)', [...flags][0] ?? '');
  return (text) => anyTerm.test(transform.call(matcher, text, internals.blacklistMatcherTransformers)[1]);
}

function buildMatchers(options: ObscenityContentFilterOptions): Array<{ rule: string; matcher: RegExpMatcher }> {
  // Required, synchronously, because check() is synchronous (the pre-send policy pipeline).
  const obscenity = createRequire(import.meta.url)('obscenity') as Obscenity;
  const { RegExpMatcher, englishDataset, englishRecommendedTransformers } = obscenity;
  const matchers: Array<{ rule: string; matcher: RegExpMatcher }> = [];
  const rules = new Set(options.rules ?? CONTENT_RULES);
  const add = (rule: string, set: DataSet<Record<string, never>>) => {
    matchers.push({ rule, matcher: new RegExpMatcher({ ...set.build(), ...englishRecommendedTransformers }) });
  };
  if (rules.has('threat')) add('threat', phrases(obscenity, THREATS));
  if (rules.has('harassment')) add('harassment', phrases(obscenity, HARASSMENT));
  if (rules.has('profanity')) matchers.push({ rule: 'profanity', matcher: new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers }) });
  if (options.words?.length) add('operator-list', wordList(obscenity, options.words));
  return matchers;
}

/**
 * Whether the matched text holds a letter: l33t speak would otherwise read bare numbers as words (455 as
 * "ass", 717 as "tit") and refuse one-time codes, amounts and order numbers.
 */
function hasLetter(text: string, match: { startIndex: number; endIndex: number }): boolean {
  return /\p{L}/u.test(text.slice(match.startIndex, match.endIndex + 1));
}
