/** How a credential check that listed a server's models reports the configured one: listed, or not (worth knowing, not a failure). */
export function listedModel(ids: readonly string[], model: string): string {
  return ids.includes(model) ? `model ${model} listed` : `model ${model} not among the ${ids.length} listed`;
}
