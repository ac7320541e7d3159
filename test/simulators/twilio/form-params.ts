/** Form fields as Twilio reads them: repeated keys (`MediaUrl=a&MediaUrl=b`) become a list. */
export type FormParams = Record<string, string | string[]>;

export function parseForm(encoded: string): FormParams {
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(encoded)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

export function encodeForm(params: FormParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  return search.toString();
}

export function firstValue(params: FormParams, key: string): string | undefined {
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

export function allValues(params: FormParams, key: string): string[] {
  const value = params[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
