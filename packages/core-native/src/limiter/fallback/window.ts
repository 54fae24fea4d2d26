// Sliding windows as rings of counters: the same algorithm and arithmetic as
// crates/tollgate-core/src/limiter/window.rs (see there for why it never double-bursts).

/** Slots a window is cut into; the ring holds one more. */
export const SLOTS_PER_WINDOW = 12;
export const RING = SLOTS_PER_WINDOW + 1;
const MAX_COUNT = 4_294_967_295;

export const slotMs = (periodMs: number): number => periodMs / SLOTS_PER_WINDOW;
export const slotOf = (nowMs: number, slot: number): number => Math.floor(nowMs / slot);
const ringIndex = (slot: number): number => ((slot % RING) + RING) % RING;

/** Moves the ring at `base` forward to the slot of `nowMs`, clearing slots that fall out. */
export function advance(rings: Uint32Array, base: number, heads: Float64Array, at: number, nowMs: number, slot: number): void {
  const current = slotOf(nowMs, slot);
  const head = heads[at]!;
  if (current <= head) return;
  const steps = Math.min(current - head, RING);
  for (let step = 1; step <= steps; step += 1) rings[base + ringIndex(head + step)] = 0;
  heads[at] = current;
}

export function counted(rings: Uint32Array, base: number): number {
  let total = 0;
  for (let index = 0; index < RING; index += 1) total += rings[base + index]!;
  return total;
}

/** Milliseconds from `nowMs` until at least `needed` units have left the count. */
export function waitMs(rings: Uint32Array, base: number, head: number, needed: number, nowMs: number, slot: number): number {
  let freed = 0;
  for (let at = head - SLOTS_PER_WINDOW; at <= head; at += 1) {
    freed += rings[base + ringIndex(at)]!;
    if (freed >= needed) return Math.max((at + RING) * slot - nowMs, 0);
  }
  return Infinity;
}

export function isClear(rings: Uint32Array, base: number, head: number, nowSlot: number): boolean {
  for (let at = Math.max(head, nowSlot) - SLOTS_PER_WINDOW; at <= head; at += 1) {
    if (at >= head - SLOTS_PER_WINDOW && rings[base + ringIndex(at)] !== 0) return false;
  }
  return true;
}

export function add(rings: Uint32Array, base: number, head: number, units: number): void {
  const index = base + ringIndex(head);
  rings[index] = Math.min(rings[index]! + units, MAX_COUNT);
}

export function refund(rings: Uint32Array, base: number, head: number, units: number, atMs: number, slot: number): void {
  const at = slotOf(atMs, slot);
  if (at > head || at < head - SLOTS_PER_WINDOW) return;
  const index = base + ringIndex(at);
  rings[index] = Math.max(rings[index]! - units, 0);
}
