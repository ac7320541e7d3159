/** Prints a command's result: JSON with --json, else the human-readable text. */
export function printResult(json: boolean, result: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(result, null, process.stdout.isTTY ? 2 : undefined) : human());
}

/** Two-column text, the right column aligned unless the left one is too long for it. */
export function table(rows: ReadonlyArray<readonly [string, string]>, maxWidth = 48): string {
  const width = Math.min(maxWidth, Math.max(0, ...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) => `${left.padEnd(width)}  ${right}`).join('\n');
}
