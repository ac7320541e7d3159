import { microsToDecimal } from '../calls/call-view.js';

export { microsToDecimal };

const DECIMAL = /^(\d+)(?:\.(\d{1,6}))?$/;

/** A decimal amount as written in config ("0.0079", "50") to integer micro-units, without floating point. */
export function decimalToMicros(value: string): number {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new RangeError(`"${value}" is not a decimal amount with at most 6 decimals.`);
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** Cost with a markup in basis points (1250 = 12.5 %), rounded up to the next micro-unit. */
export function withMarkup(costMicros: number, markupBasisPoints: number): number {
  return Math.ceil((costMicros * (10_000 + markupBasisPoints)) / 10_000);
}
