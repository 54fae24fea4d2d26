// The name a limiter store keeps for a key. The native store receives names as UTF-8, where a
// lone surrogate becomes U+FFFD: 'a\uD800', 'a\uDC00' and 'a\uFFFD' would share one counter. Such
// names (and, to keep the mapping one-to-one, names starting with NUL) are stored escaped instead;
// both backends store the same names, so they shard and evict alike.

/** `String.prototype.isWellFormed` (Node 20+): false when the string holds a lone surrogate. */
type MaybeWellFormed = string & { isWellFormed(): boolean };

/**
 * `name` itself when it is well-formed UTF-16 and does not start with NUL; otherwise NUL followed
 * by four hex digits per UTF-16 unit. Distinct names always get distinct stored names.
 */
export function storedName(name: string): string {
  if (name.charCodeAt(0) !== 0 && (name as MaybeWellFormed).isWellFormed()) return name;
  let escaped = '\0';
  for (let index = 0; index < name.length; index += 1) escaped += name.charCodeAt(index).toString(16).padStart(4, '0');
  return escaped;
}

/** {@link storedName} of each name; `names` itself when none changes (the common case). */
export function storedNames(names: readonly string[]): readonly string[] {
  return names.some((name) => storedName(name) !== name) ? names.map(storedName) : names;
}
