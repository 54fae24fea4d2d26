// A rule as the fallback store holds it, decoded from the numeric spec both stores take.

export type FallbackRule =
  | { readonly kind: 'window'; readonly tokens: boolean; readonly limit: number; readonly periodMs: number }
  | { readonly kind: 'bucket'; readonly tokens: boolean; readonly capacity: number; readonly refillPerMs: number }
  | { readonly kind: 'inFlight'; readonly max: number };

/** Decodes `[leaseTimeoutMs, (kind, measure, a, b)...]` exactly as the Rust binding does. */
export function decodeSpec(spec: Float64Array): { rules: FallbackRule[]; leaseTimeoutMs: number } {
  const rules: FallbackRule[] = [];
  for (let at = 1; at + 4 <= spec.length; at += 4) {
    const [kind, measure, first, second] = [spec[at]!, spec[at + 1]!, spec[at + 2]!, spec[at + 3]!];
    if (kind === 0) rules.push({ kind: 'window', tokens: measure === 1, limit: first, periodMs: second });
    else if (kind === 1) rules.push({ kind: 'bucket', tokens: measure === 1, capacity: first, refillPerMs: second / 1000 });
    else rules.push({ kind: 'inFlight', max: first });
  }
  return { rules, leaseTimeoutMs: spec[0]! };
}
