import type { ClassifiedFailure } from './failure.js';

/** A deployment as the router hands it out: the config it was registered with. */
export interface RoutedDeployment {
  readonly id: string;
  readonly model: string;
  readonly baseURL: string | undefined;
  readonly apiKey: string | undefined;
  readonly providerModel: string;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

/** What a successful call used, for latency per token and usage accounting. */
export interface LeaseUsage {
  /** Output (completion) tokens. @default 0 */
  outputTokens?: number;
  /** Prompt + output tokens; replaces the estimate counted at acquire. @default the estimate */
  totalTokens?: number;
}

/**
 * An in-flight slot on a deployment. It ends exactly once: `succeed`, `fail` or `release`; later
 * calls do nothing, so in-flight counts cannot go negative. Use `try`/`finally`.
 */
export interface RouterLease {
  readonly deployment: RoutedDeployment;
  /** True once the lease has ended. */
  readonly ended: boolean;
  /** Records the time to first token (streams); call once, on the first chunk. */
  markFirstToken(): void;
  /** Ends the lease as a success. */
  succeed(usage?: LeaseUsage): void;
  /** Ends the lease as a failure (classified), cooling the deployment when due. Returns the classification. */
  fail(error: unknown): ClassifiedFailure;
  /** Ends the lease without judging the deployment (the caller gave up). */
  release(): void;
}
