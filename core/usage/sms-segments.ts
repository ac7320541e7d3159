/**
 * How carriers count SMS segments (3GPP TS 23.038 / 23.040). A text that fits the GSM 03.38 alphabet is
 * sent in 7-bit septets: 160 in one segment, 153 per segment once concatenated (the user-data header
 * takes 7), and characters of the extension table cost two septets (escape + character), never split
 * across segments. Any other character makes the whole text UCS-2: 70 UTF-16 code units in one segment,
 * 67 per concatenated segment, a surrogate pair never split.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

/** Greedy packing: each unit (a character's cost) goes into the current segment if it fits whole. */
function pack(costs: readonly number[], single: number, multi: number): number {
  const total = costs.reduce((sum, c) => sum + c, 0);
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multi) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return segments;
}

export function countSmsSegments(text: string): SmsSegments {
  if (text === '') return { encoding: 'GSM-7', segments: 1 };
  if (isGsm7(text)) return { encoding: 'GSM-7', segments: pack([...text].map((ch) => (EXTENSION.has(ch) ? 2 : 1)), 160, 153) };
  // Iterating by code point keeps a surrogate pair (2 code units) together.
  return { encoding: 'UCS-2', segments: pack([...text].map((ch) => ch.length), 70, 67) };
}
