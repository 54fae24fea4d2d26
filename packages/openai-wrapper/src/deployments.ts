import { createRouter, findModelInfo, type DeploymentConfig, type Router } from './core.js';
import type { DeploymentPrices } from './call-path/index.js';
import { invalidArgument } from './errors.js';
import type { DeploymentOptions, RoutingOptions } from './types.js';

/** The router built from `deployments`, and what the call path needs to know beside it. */
export interface BuiltDeployments {
  readonly router: Router;
  readonly members: Map<string, string[]>;
  readonly contextWindows: Map<string, number>;
  readonly prices: Map<string, DeploymentPrices>;
}

function contextWindowOf(options: DeploymentOptions, providerModel: string): number | undefined {
  if (options.contextWindow !== undefined) return options.contextWindow;
  try {
    return findModelInfo(providerModel)?.contextWindow;
  } catch {
    return undefined;
  }
}

/**
 * Validates `deployments` (grouped by model name) and builds the router over them.
 * @throws {TollgateOpenAIError} `ERR_INVALID_ARGUMENT` naming the field; the router's
 *   `TollgateError` `ERR_INVALID_ARGUMENT` for a bad number.
 */
export function buildDeployments(
  deployments: Readonly<Record<string, readonly DeploymentOptions[]>>,
  routing: RoutingOptions = {},
): BuiltDeployments {
  if (typeof deployments !== 'object' || deployments === null || Array.isArray(deployments))
    throw invalidArgument('options.deployments', 'an object of deployment lists by model name', deployments);
  const configs: DeploymentConfig[] = [];
  const members = new Map<string, string[]>();
  const windows = new Map<string, number[]>();
  const prices = new Map<string, DeploymentPrices>();

  for (const [model, list] of Object.entries(deployments)) {
    if (!Array.isArray(list) || list.length === 0)
      throw invalidArgument(`options.deployments.${model}`, 'a non-empty array of deployments', list);
    list.forEach((options: DeploymentOptions, index) => {
      const at = `options.deployments.${model}[${index}]`;
      if (typeof options?.baseURL !== 'string' || !URL.canParse(options.baseURL))
        throw invalidArgument(`${at}.baseURL`, 'an absolute URL', options?.baseURL);
      if (options.apiKey !== undefined && typeof options.apiKey !== 'string')
        throw invalidArgument(`${at}.apiKey`, 'a string', '(hidden)');
      const id = options.id ?? `${model}#${index}`;
      const providerModel = options.model ?? model;
      const contextWindow = contextWindowOf(options, providerModel);
      configs.push({
        id,
        model,
        baseURL: options.baseURL,
        apiKey: options.apiKey,
        providerModel,
        weight: options.weight,
        rpm: options.rpm,
        tpm: options.tpm,
        maxInFlight: options.maxInFlight,
        inputCostPerToken: options.inputCostPerToken,
        outputCostPerToken: options.outputCostPerToken,
        contextWindow,
        tags: options.tags,
      });
      members.set(model, [...(members.get(model) ?? []), id]);
      if (contextWindow !== undefined) windows.set(model, [...(windows.get(model) ?? []), contextWindow]);
      if (options.inputCostPerToken !== undefined && options.outputCostPerToken !== undefined)
        prices.set(id, { input: options.inputCostPerToken, output: options.outputCostPerToken });
    });
  }

  const router = createRouter({ ...routing, deployments: configs });
  const contextWindows = new Map<string, number>();
  for (const [model, list] of windows) contextWindows.set(model, Math.max(...list));
  return { router, members, contextWindows, prices };
}
