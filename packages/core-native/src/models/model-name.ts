const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;
const VERSION_SUFFIX = /-(latest|v\d+(:\d+)?)$/;

/**
 * Strips what does not change the model family from a name: case, a fine-tuning wrapper
 * (`ft:gpt-4o-mini:org::id` → `gpt-4o-mini`) and provider prefixes (`azure/gpt-4o` → `gpt-4o`).
 */
export function normalizeModelName(model: string): string {
  let name = model.trim().toLowerCase();
  if (name.startsWith('ft:')) {
    const end = name.indexOf(':', 3);
    name = end === -1 ? name.slice(3) : name.slice(3, end);
  }
  const slash = name.lastIndexOf('/');
  return slash === -1 ? name : name.slice(slash + 1);
}

/**
 * Names to try, in order, when looking a model up: the name as given (lower-cased), then without
 * provider prefixes and fine-tuning wrapper, then without a date or version suffix.
 */
export function candidateModelNames(model: string): string[] {
  const candidates = [model.trim().toLowerCase()];
  let name = normalizeModelName(model);
  candidates.push(name);
  for (let step = 0; step < 3; step += 1) {
    const shorter = name.replace(DATE_SUFFIX, '').replace(VERSION_SUFFIX, '');
    if (shorter === name || shorter.length === 0) break;
    candidates.push(shorter);
    name = shorter;
  }
  return [...new Set(candidates)];
}
