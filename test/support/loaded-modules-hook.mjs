// Module hook of loaded-modules.mjs: appends the URL of each loaded ES module (or CommonJS entry imported from one).
import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}

export async function load(url, context, next) {
  const result = await next(url, context);
  appendFileSync(file, `${url}\n`);
  return result;
}
