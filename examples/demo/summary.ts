// Puts the wrapper's usage, the servers' own tallies and the demo's requests side by side.
import { getUsageStats, type ModelUsageStats, type UsageRecord } from '@tollgate/openai';
import type { SentRequest } from './send.js';
import type { DemoServers } from './servers.js';

/** One line of the report's table. */
export interface ModelRow {
  readonly model: string;
  readonly requests: number;
  readonly streamed: number;
  /** Prompt tokens tollgate counted before sending (`countChatTokens` inside `wrapOpenAI`). */
  readonly promptTokensCounted: number;
  /** Prompt tokens of the `usage` the server sent back. */
  readonly promptTokensReported: number;
  readonly completionTokens: number;
  /** Cost in USD; `undefined` when some request of the row had no price. */
  readonly costUsd: number | undefined;
  readonly meanLatencyMs: number;
  readonly failed: number;
}

/** The table rows and every disagreement found. */
export interface UsageSummary {
  readonly rows: readonly ModelRow[];
  readonly total: ModelRow;
  /** One sentence per problem: a count mismatch, a missing usage, a failed request. */
  readonly problems: readonly string[];
  /** Requests whose local count tollgate flags as an estimate (e.g. several text parts). */
  readonly estimatedCounts: number;
  /** The distinct reasons tollgate gave for those estimates. */
  readonly estimateReasons: readonly string[];
}

const MOST_PROBLEMS_LISTED = 8;

function row(model: string, stats: ModelUsageStats, records: readonly UsageRecord[]): ModelRow {
  const latencyMs = records.reduce((sum, record) => sum + record.durationMs, 0);
  return {
    model,
    requests: stats.requests,
    streamed: stats.streamed,
    promptTokensCounted: stats.promptTokensCounted,
    promptTokensReported: stats.promptTokensReported,
    completionTokens: stats.completionTokens,
    costUsd: stats.costUnavailable > 0 ? undefined : stats.costUsd,
    meanLatencyMs: records.length === 0 ? 0 : latencyMs / records.length,
    failed: stats.errors + stats.aborted,
  };
}

/** Problems of single requests: failures, missing usage, and local counts the server disputes. */
function requestProblems(sent: readonly SentRequest[], records: readonly UsageRecord[]): string[] {
  // Request ids are only unique per server (each mock numbers its own), and each model is served
  // by one server: the model and the id together name a call.
  const key = (model: string, requestId: string | undefined) => `${model} ${String(requestId)}`;
  const byCall = new Map(records.map((record) => [key(record.model, record.requestId), record]));
  const problems: string[] = [];
  for (const { request, requestId, failure } of sent) {
    const label = `Request #${request.index} (${request.model}, ${request.stream ? 'streamed' : 'not streamed'}, ${request.shape}, ${request.origin})`;
    const record = requestId === undefined ? undefined : byCall.get(key(request.model, requestId));
    if (failure !== undefined) problems.push(`${label} failed: ${failure}.`);
    else if (record === undefined) problems.push(`${label} has no usage record.`);
    else if (record.usageSource !== 'provider')
      problems.push(`${label} got no usage from the server (usage source: ${record.usageSource}).`);
    else if (record.promptTokensCounted !== record.promptTokens) {
      problems.push(
        `${label}: counted ${String(record.promptTokensCounted)} prompt tokens locally, the server reported ${String(record.promptTokens)}.`,
      );
    }
  }
  return problems;
}

/**
 * Builds the table rows from `getUsageStats` of each wrapped client and checks, per model, that the
 * local prompt counts equal the server-reported ones, that each server's own tally equals what the
 * client received, and, per request, that it succeeded with a usage whose prompt tokens equal the
 * local count.
 */
export function summarise(
  servers: DemoServers,
  sent: readonly SentRequest[],
  records: readonly UsageRecord[],
): UsageSummary {
  const rows: ModelRow[] = [];
  const problems: string[] = [];
  const totals: ModelUsageStats[] = [];
  for (const endpoint of servers.endpoints) {
    const stats = getUsageStats(endpoint.client);
    const tally = endpoint.server.stats().byModel;
    for (const model of endpoint.models) {
      const modelStats = stats?.byModel[model];
      if (modelStats === undefined) continue;
      totals.push(modelStats);
      rows.push(
        row(
          model,
          modelStats,
          records.filter((record) => record.model === model),
        ),
      );
      if (modelStats.promptTokensCounted !== modelStats.promptTokensReported) {
        problems.push(
          `Mismatch for ${model}: ${modelStats.promptTokensCounted} prompt tokens counted locally, ${modelStats.promptTokensReported} reported by the server.`,
        );
      }
      const tallied = tally[model]?.promptTokens ?? 0;
      if (tallied !== modelStats.promptTokensReported) {
        problems.push(
          `Mismatch for ${model}: the ${endpoint.label} server tallied ${tallied} prompt tokens, the client received ${modelStats.promptTokensReported}.`,
        );
      }
    }
  }

  const detailed = requestProblems(sent, records);
  problems.push(...detailed.slice(0, MOST_PROBLEMS_LISTED));
  if (detailed.length > MOST_PROBLEMS_LISTED)
    problems.push(`... and ${detailed.length - MOST_PROBLEMS_LISTED} more requests with problems.`);

  const sum = (pick: (stats: ModelUsageStats) => number) =>
    totals.reduce((total, stats) => total + pick(stats), 0);
  const total: ModelRow = {
    model: 'total',
    requests: sum((stats) => stats.requests),
    streamed: sum((stats) => stats.streamed),
    promptTokensCounted: sum((stats) => stats.promptTokensCounted),
    promptTokensReported: sum((stats) => stats.promptTokensReported),
    completionTokens: sum((stats) => stats.completionTokens),
    costUsd: rows.some((item) => item.costUsd === undefined)
      ? undefined
      : sum((stats) => stats.costUsd),
    meanLatencyMs:
      records.length === 0
        ? 0
        : records.reduce((latency, record) => latency + record.durationMs, 0) / records.length,
    failed: sum((stats) => stats.errors + stats.aborted),
  };
  const estimated = records.filter((record) => record.promptTokensCountedEstimated);
  const estimateReasons = [...new Set(estimated.flatMap((record) => record.countEstimateReasons))];
  return { rows, total, problems, estimatedCounts: estimated.length, estimateReasons };
}
