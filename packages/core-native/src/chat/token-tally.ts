/**
 * Accumulates a chat's token count as fixed overhead plus texts still to be counted, so that all
 * texts of one chat cross to the tokenizer in a single call.
 */
export class TokenTally {
  /** Fixed tokens (framing constants, image tokens). May go down (e.g. `enum_init` is -3). */
  fixedTokens = 0;
  /** Texts whose tokens are added once counted. */
  readonly texts: string[] = [];
  /** Why the count is an estimate; a Set so each reason is given once. */
  readonly reasons = new Set<string>();

  /** Adds a text to be counted as ordinary text. */
  addText(text: string): void {
    if (text.length > 0) this.texts.push(text);
  }

  /** Marks the count as an estimate. `reason` must never contain prompt text. */
  estimate(reason: string): void {
    this.reasons.add(reason);
  }
}
