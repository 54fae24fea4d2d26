// Starts the local OpenAI-compatible servers the demo talks to, and one wrapped client for each.
import OpenAI from 'openai';
import {
  countText,
  encodingNameForModel,
  startMockOpenAI,
  type MockModelOptions,
  type MockOpenAIServer,
} from '@tollgate/mock-openai-server';
import { wrapOpenAI, type UsageRecord } from '@tollgate/openai';

/** The API key the demo servers require and the demo clients send; it is not a real key. */
export const DEMO_API_KEY = 'demo-key';

/** One demo server: a name, the models it serves and how fast each one answers. */
interface ServerPlan {
  readonly label: string;
  readonly models: Readonly<Record<string, MockModelOptions>>;
}

const PLANS: readonly ServerPlan[] = [
  {
    label: 'fast',
    models: {
      'gpt-4o': { latencyMs: 12, firstTokenDelayMs: 8, chunkDelayMs: 1, completionTokens: 64 },
      'gpt-4o-mini': { latencyMs: 6, firstTokenDelayMs: 4, chunkDelayMs: 1, completionTokens: 48 },
    },
  },
  {
    label: 'slow',
    models: {
      'gpt-4.1-mini': {
        latencyMs: 45,
        firstTokenDelayMs: 30,
        chunkDelayMs: 2,
        completionTokens: 96,
      },
      'gpt-3.5-turbo': {
        latencyMs: 35,
        firstTokenDelayMs: 25,
        chunkDelayMs: 2,
        completionTokens: 80,
      },
      'gpt-4': { latencyMs: 80, firstTokenDelayMs: 60, chunkDelayMs: 3, completionTokens: 72 },
    },
  },
];

/** A running demo server with its wrapped client. */
export interface DemoEndpoint {
  readonly label: string;
  readonly server: MockOpenAIServer;
  /** An official `openai` client pointed at `server`, wrapped by `wrapOpenAI`. */
  readonly client: OpenAI;
  readonly models: readonly string[];
}

/** The demo's servers; `close` stops all of them and may be called more than once. */
export interface DemoServers {
  readonly endpoints: readonly DemoEndpoint[];
  /** Every model the demo sends to, in round-robin order. */
  readonly models: readonly string[];
  /** The wrapped client whose server serves `model`. */
  clientFor(model: string): OpenAI;
  close(): Promise<void>;
}

/**
 * Starts the demo's servers on 127.0.0.1 (ephemeral ports): `fast` serves gpt-4o and gpt-4o-mini,
 * `slow` serves gpt-4.1-mini, gpt-3.5-turbo and gpt-4 with more latency. Each gets one `openai`
 * client (no retries, 30 s timeout) wrapped by `wrapOpenAI`, whose records go to `onUsage`.
 * `overrides` changes how a demo model behaves, e.g. `{ 'gpt-4o': { encoding: 'cl100k_base' } }`
 * makes its server count with the wrong encoding, to see the demo report the mismatch.
 *
 * @throws Error when a server cannot listen; servers already started are closed first.
 */
export async function startDemoServers(
  onUsage: (record: UsageRecord) => void,
  overrides: Readonly<Record<string, MockModelOptions>> = {},
): Promise<DemoServers> {
  const endpoints: DemoEndpoint[] = [];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(endpoints.map((endpoint) => endpoint.server.close())).then(() => {});
    return closing;
  };

  try {
    for (const plan of PLANS) {
      const server = await startMockOpenAI({
        host: '127.0.0.1',
        port: 0,
        apiKey: DEMO_API_KEY,
        models: plan.models,
      });
      for (const model of Object.keys(plan.models)) {
        const override = overrides[model];
        if (override !== undefined) server.configureModel(model, override);
      }
      const plain = new OpenAI({
        baseURL: server.url,
        apiKey: DEMO_API_KEY,
        maxRetries: 0,
        timeout: 30_000,
      });
      const client = wrapOpenAI(plain, { onUsage });
      endpoints.push({ label: plan.label, server, client, models: Object.keys(plan.models) });
    }
  } catch (error) {
    await close();
    throw error;
  }

  // The servers load their js-tiktoken ranks on first use (about a second); do it before the clock
  // starts, so the run's requests/s are not a measure of that.
  for (const plan of PLANS) {
    for (const model of Object.keys(plan.models))
      countText(
        plan.models[model]?.encoding ?? encodingNameForModel(model) ?? 'o200k_base',
        'warm',
      );
  }

  const byModel = new Map<string, OpenAI>();
  for (const endpoint of endpoints)
    for (const model of endpoint.models) byModel.set(model, endpoint.client);
  return {
    endpoints,
    models: [...byModel.keys()],
    clientFor(model) {
      const client = byModel.get(model);
      if (client === undefined) throw new Error(`Expected a demo model, got ${model}.`);
      return client;
    },
    close,
  };
}
