/** How a model family bills image input. */
export type ImageRule =
  | { readonly kind: 'tiles'; readonly baseTokens: number; readonly tileTokens: number }
  | { readonly kind: 'patches'; readonly multiplier: number };

/** Size assumed for an image part without `width`/`height`. */
export const DEFAULT_IMAGE_SIZE = { width: 1024, height: 1024 } as const;

const TILE_PX = 512;
const PATCH_PX = 32;
const PATCH_LIMIT = 1536;

function tileTokens(rule: { baseTokens: number; tileTokens: number }, width: number, height: number, detail: string): number {
  if (detail === 'low') return rule.baseTokens;

  // Fit in 2048×2048, then bring the shortest side down to 768 (never up).
  let scale = Math.min(1, 2048 / Math.max(width, height));
  let scaledWidth = width * scale;
  let scaledHeight = height * scale;
  scale = Math.min(1, 768 / Math.min(scaledWidth, scaledHeight));
  scaledWidth = Math.floor(scaledWidth * scale);
  scaledHeight = Math.floor(scaledHeight * scale);

  const tiles = Math.ceil(scaledWidth / TILE_PX) * Math.ceil(scaledHeight / TILE_PX);
  return rule.baseTokens + rule.tileTokens * tiles;
}

function patchTokens(multiplier: number, width: number, height: number): number {
  let patches = Math.ceil(width / PATCH_PX) * Math.ceil(height / PATCH_PX);
  if (patches > PATCH_LIMIT) {
    // Shrink to the patch budget, then round down so whole patches cover each side.
    let shrink = Math.sqrt((PATCH_PX * PATCH_PX * PATCH_LIMIT) / (width * height));
    const widthPatches = (width * shrink) / PATCH_PX;
    const heightPatches = (height * shrink) / PATCH_PX;
    shrink *= Math.min(Math.floor(widthPatches) / widthPatches, Math.floor(heightPatches) / heightPatches);
    patches = Math.min(PATCH_LIMIT, Math.ceil((width * shrink) / PATCH_PX) * Math.ceil((height * shrink) / PATCH_PX));
  }
  return Math.ceil(patches * multiplier);
}

/**
 * Tokens one image costs under `rule`. Tiles: `low` detail costs the base; `high`/`auto` fit the
 * image in 2048×2048, scale the shortest side to 768, and add `tileTokens` per 512-px tile.
 * Patches: 32-px patches, at most 1536, times the model's multiplier (detail does not apply).
 * `width` and `height` are positive pixel counts.
 */
export function imageTokens(rule: ImageRule, width: number, height: number, detail: string): number {
  return rule.kind === 'tiles' ? tileTokens(rule, width, height, detail) : patchTokens(rule.multiplier, width, height);
}
