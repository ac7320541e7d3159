import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import type * as Obscenity from 'obscenity';
import { ObscenityContentFilter } from '../../adapters/content-filter/obscenity-content-filter.js';

describe('content filter (obscenity + threat and harassment phrases + operator list)', () => {
  const filter = new ObscenityContentFilter({ words: ['Acme Rival', 'refunds'] });
  const rules = (text: string) => filter.check(text).map((f) => f.rule);

  it('passes ordinary text, including words that merely contain a bad one', () => {
    expect(rules('Hello, your order 1234 shipped and arrives Tuesday.')).toEqual([]);
    expect(rules('Our office in Scunthorpe will assess the class.')).toEqual([]);
    expect(rules('Skill yourself up with our new course.')).toEqual([]);
  });

  it('never reads numbers alone as disguised words (codes, amounts, times)', () => {
    // l33t speak makes 455 "ass" and 717 "tit": digits without a letter are not words.
    expect(rules('Your code is 4551.')).toEqual([]);
    expect(rules('Ticket 717, total $455.00, order 5-455-717')).toEqual([]);
    expect(rules('this is a55')).toEqual(['profanity']);
  });

  it('finds threats, harassment and profanity, disguised spellings too', () => {
    expect(rules('Pay now or I will KILL YOU')).toEqual(['threat']);
    expect(rules('I know where you live.')).toEqual(['threat']);
    expect(rules('you should just kill yourself')).toEqual(['harassment']);
    expect(rules('what the fuck is this')).toEqual(['profanity']);
    expect(rules('this is sh1t')).toEqual(['profanity']);
  });

  it('applies the operator\'s words as whole words, case-insensitively', () => {
    expect(rules('Try ACME RIVAL instead')).toEqual(['operator-list']);
    expect(rules('No refunds today')).toEqual(['operator-list']);
    expect(rules('No refundsday')).toEqual([]);
  });

  it('reads an exclamation mark after a word as punctuation, not as a disguised "i"', () => {
    // l33t speak reads "!" as "i": "you!" became "youi" and slipped past the whole-word phrase.
    expect(rules('I will kill you!')).toEqual(['threat']);
    expect(rules('I will kill you!!!')).toEqual(['threat']);
    expect(rules('Go kill yourself! Now.')).toEqual(['harassment']);
    expect(rules('No REFUNDS!')).toEqual(['operator-list']);
    expect(rules('No refunds!?')).toEqual(['operator-list']);
    // Inside a word it is still a disguised letter.
    expect(rules('this is sh!t')).toEqual(['profanity']);
    expect(rules('Great news!')).toEqual([]);
  });

  it('applies only the configured built-in rules', () => {
    const onlyThreats = new ObscenityContentFilter({ rules: ['threat'] });
    expect(onlyThreats.check('what the fuck')).toEqual([]);
    expect(onlyThreats.check('I will hurt you')).toEqual([{ rule: 'threat' }]);
  });

  it('screens clean text without running every term, and still finds disguised words the screen lets through', () => {
    // The adapter requires obscenity as CommonJS: spy on that copy's matcher.
    const { RegExpMatcher } = createRequire(import.meta.url)('obscenity') as typeof Obscenity;
    const fresh = new ObscenityContentFilter({ words: ['refunds'] });
    const allMatches = vi.spyOn(RegExpMatcher.prototype, 'getAllMatches');
    try {
      expect(fresh.check('Hello, your order 1234 shipped and arrives Tuesday.')).toEqual([]);
      expect(allMatches).not.toHaveBeenCalled();
      // Past the screen: the whitelist (Scunthorpe), digits alone, repeated and confusable letters.
      expect(fresh.check('Our office in Scunthorpe')).toEqual([]);
      expect(fresh.check('Ticket 717, total $455.00')).toEqual([]);
      expect(fresh.check('fuuuuck this')).toEqual([{ rule: 'profanity' }]);
      expect(fresh.check('I will ĸill you')).toEqual([{ rule: 'threat' }]);
      expect(fresh.check('Ask for REFUNDS now')).toEqual([{ rule: 'operator-list' }]);
      expect(allMatches).toHaveBeenCalled();
    } finally {
      allMatches.mockRestore();
    }
  });
});
