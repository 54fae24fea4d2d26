import type { RunRecord, RunTotals, UsageSnapshot } from './run-record.js';

function emptyTotals(): RunTotals {
  return { runs: 0, ok: 0, errors: 0, aborted: 0, refused: 0, streamed: 0, estimatedRuns: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, costUnavailable: 0, latencyMs: 0 };
}

function add(totals: RunTotals, record: RunRecord): void {
  totals.runs += 1;
  if (record.status === 'ok') totals.ok += 1;
  else if (record.status === 'error') totals.errors += 1;
  else if (record.status === 'aborted') totals.aborted += 1;
  else totals.refused += 1;
  if (record.streamed) totals.streamed += 1;
  if (record.usageSource === 'estimated') totals.estimatedRuns += 1;
  totals.promptTokens += record.promptTokens ?? 0;
  totals.completionTokens += record.completionTokens ?? 0;
  if (record.costUsd === undefined) totals.costUnavailable += 1;
  else totals.costUsd += record.costUsd;
  totals.latencyMs += record.latencyMs;
}

/** Running totals per model and per tag. */
export class UsageTotals {
  private total = emptyTotals();
  private byModel = new Map<string, RunTotals>();
  private byTag = new Map<string, RunTotals>();

  /** Adds one terminal record to the total, its model and each of its tags (once per tag). */
  add(record: RunRecord): void {
    add(this.total, record);
    let model = this.byModel.get(record.model);
    if (model === undefined) this.byModel.set(record.model, (model = emptyTotals()));
    add(model, record);
    for (const tag of new Set(record.tags)) {
      let tagged = this.byTag.get(tag);
      if (tagged === undefined) this.byTag.set(tag, (tagged = emptyTotals()));
      add(tagged, record);
    }
  }

  snapshot(inFlight: number): UsageSnapshot {
    const copy = (map: Map<string, RunTotals>) => Object.fromEntries([...map].map(([key, totals]) => [key, { ...totals }]));
    return { total: { ...this.total }, byModel: copy(this.byModel), byTag: copy(this.byTag), inFlight };
  }

  reset(): void {
    this.total = emptyTotals();
    this.byModel.clear();
    this.byTag.clear();
  }
}
