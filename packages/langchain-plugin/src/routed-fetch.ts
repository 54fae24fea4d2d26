import { CallPath, type CallPlan, type CallTarget, type RouteSettings, type UsageRecord } from '@tollgate/openai';
import { countChatTokens, invalidArgumentError, TollgateError, type EncodingName, type Router } from './core.js';
import { handlerErrorChannel } from './events.js';
import type { TollgateLimiter } from './limits.js';
import { passThrough } from './routed-body.js';
import { errorInfo } from './run-state.js';

/** Base URL a routed client is configured with; the routed fetch replaces it by a deployment's. */
export const ROUTED_BASE_URL = 'http://tollgate-router.invalid/v1';

/** Options of {@link createRoutedFetch}. */
export interface RoutedFetchOptions {
  /** The router whose deployments serve the calls (the same one `wrapOpenAI` users route with). */
  readonly router: Router;
  /** Sends the requests, e.g. `createConnectionPools().fetch`. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Base URL the client uses; requests to any other URL are refused. @default {@link ROUTED_BASE_URL} */
  readonly baseURL?: string;
  /** Limiter checked by the call path before each call (as `wrapOpenAI` does); keys `model:<model>`. @default none */
  readonly limiter?: TollgateLimiter;
  /** Output tokens reserved in `limiter` when the request sets no maximum. @default 256 */
  readonly reservedOutputTokens?: number;
  /** Receives the call path's record of each call (the same shape as `wrapOpenAI`'s); a throw is reported, never raised. */
  readonly onRecord?: (record: UsageRecord) => void;
  /** Encoding for counting prompts of models tollgate does not know. @default 'o200k_base' */
  readonly defaultEncoding?: EncodingName;
}

type Loose = Record<string, unknown>;

/** An HTTP failure of one attempt, shaped for the router's failure classification. */
class AttemptHttpError extends Error {
  override readonly name = 'AttemptHttpError';
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly bodyText: string,
    readonly error: unknown,
  ) {
    super(`The deployment answered HTTP ${status}.`);
  }
}

const abortError = () => Object.assign(new Error('The request was aborted.'), { name: 'AbortError' });

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function routeSettings(router: Router): RouteSettings {
  const members = new Map<string, string[]>();
  for (const deployment of router.snapshot()) members.set(deployment.model, [...(members.get(deployment.model) ?? []), deployment.id]);
  return { router, members, contextWindows: new Map(), abortError, sleep, random: Math.random };
}

function parseBody(body: unknown): Loose {
  if (typeof body !== 'string') throw invalidArgumentError('init.body', 'a JSON string (the openai SDK sends one)', body);
  const parsed = JSON.parse(body) as unknown;
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Loose).model !== 'string') {
    throw invalidArgumentError('init.body.model', 'a model name', (parsed as Loose | null)?.model);
  }
  return parsed as Loose;
}

function planOf(body: Loose, suffix: string, signal: AbortSignal | undefined, reservedOutputTokens: number, defaultEncoding: EncodingName): CallPlan {
  const model = body.model as string;
  let prompt: CallPlan['prompt'];
  if (Array.isArray(body.messages)) {
    try {
      prompt = countChatTokens(body.messages, { model, tools: body.tools as never, defaultEncoding });
    } catch {
      prompt = undefined;
    }
  }
  const maximum = body.max_completion_tokens ?? body.max_tokens;
  const maxOutputTokens = typeof maximum === 'number' ? maximum : undefined;
  const operation = suffix.startsWith('/chat/completions') ? 'chat.completions' : suffix.startsWith('/embeddings') ? 'embeddings' : suffix.startsWith('/responses') ? 'responses' : 'completions';
  return { operation, model, streamed: body.stream === true, prompt, maxOutputTokens, reservedOutputTokens: maxOutputTokens ?? reservedOutputTokens, signal };
}

/**
 * A `fetch` for an OpenAI-compatible client (e.g. `ChatOpenAI`'s `configuration.fetch`) that
 * sends each call through `@tollgate/openai`'s call path over the router: the request's `model`
 * names the model group; the call path reserves in `limiter` (when given), picks a deployment
 * (with the router's retries, fallbacks and cooldowns) and the request goes to that deployment's
 * `baseURL` with its `apiKey` and `providerModel`. The call holds its deployment and its limits
 * until the response body ends, so in-flight counts, time to first token and usage are exact.
 *
 * @throws TollgateError `ERR_INVALID_ARGUMENT` (rejected promise) for a URL outside `baseURL`, a
 *   body without `model`, or a model that is no group of the router; the call path's errors
 *   (`ERR_NO_DEPLOYMENT`, the limiter's). After the last attempt's HTTP error, that response is
 *   returned as it came, for the client to raise.
 */
export function createRoutedFetch(options: RoutedFetchOptions): typeof globalThis.fetch {
  const { router, onRecord } = options;
  if (typeof router?.acquire !== 'function') throw invalidArgumentError('router', 'a tollgate Router', router);
  const send = options.fetch ?? globalThis.fetch;
  const base = (options.baseURL ?? ROUTED_BASE_URL).replace(/\/+$/, '');
  const defaultEncoding = options.defaultEncoding ?? 'o200k_base';
  const reservedOutputTokens = options.reservedOutputTokens ?? 256;
  const callPath = new CallPath({
    route: routeSettings(router),
    ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
    defaultEncoding,
    abortError,
    onRecord: (record) => {
      try {
        onRecord?.(record);
      } catch (error) {
        if (handlerErrorChannel.hasSubscribers) handlerErrorChannel.publish({ method: 'onRecord', error: errorInfo(error) });
      }
    },
  });

  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(`${base}/`)) throw invalidArgumentError('url', `a URL under ${base}`, url);
    const suffix = url.slice(base.length);
    const body = parseBody(init.body);
    const plan = planOf(body, suffix, init.signal ?? undefined, reservedOutputTokens, defaultEncoding);
    if (!callPath.routes(plan.model)) throw invalidArgumentError('model', 'a model group of the router', plan.model);

    const attempt = async ({ target }: { target: CallTarget }): Promise<Response> => {
      if (target.baseURL === undefined) throw new TollgateError('ERR_INVALID_ARGUMENT', `Expected deployment ${JSON.stringify(target.id)} to have a \`baseURL\`, got none.`, { field: 'baseURL' });
      const headers = new Headers(init.headers);
      if (target.apiKey === undefined) headers.delete('authorization');
      else headers.set('authorization', `Bearer ${target.apiKey}`);
      const response = await send(`${target.baseURL.replace(/\/+$/, '')}${suffix}`, { ...init, headers, body: JSON.stringify({ ...body, model: target.providerModel }) });
      if (response.ok) return response;
      const text = await response.text();
      let error: unknown;
      try {
        error = (JSON.parse(text) as Loose).error;
      } catch {
        error = undefined;
      }
      throw new AttemptHttpError(response.status, response.headers, text, error);
    };

    try {
      const call = await callPath.start(plan, attempt);
      return passThrough(call.value, plan.streamed, call);
    } catch (error) {
      if (error instanceof AttemptHttpError) return new Response(error.bodyText, { status: error.status, headers: error.headers });
      throw error;
    }
  }) as typeof globalThis.fetch;
}

/** Options of {@link routedChatOpenAIFields}. */
export interface RoutedChatOpenAIOptions extends RoutedFetchOptions {
  /** The model group to call, e.g. `'gpt-4o-mini'`. */
  readonly model: string;
}

/**
 * Fields for `new ChatOpenAI({ ...routedChatOpenAIFields({ router, fetch: pools.fetch, model }) })`:
 * the routed fetch, the placeholder base URL, a placeholder API key (each deployment's key is
 * used instead), and `maxRetries: 0` because the router retries and falls back itself.
 *
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for a missing model or router.
 */
export function routedChatOpenAIFields(options: RoutedChatOpenAIOptions) {
  if (typeof options?.model !== 'string' || options.model === '') throw invalidArgumentError('model', 'a model group name', options?.model);
  const baseURL = options.baseURL ?? ROUTED_BASE_URL;
  return {
    model: options.model,
    apiKey: 'tollgate-routed',
    maxRetries: 0,
    configuration: { baseURL, fetch: createRoutedFetch({ ...options, baseURL }) },
  };
}
