// Router contenders: ours on the native engine and on the TS fallback engine, on the seed's
// deployments. `pick` is get_available_deployment; `lease` is acquire + release (a call's life).
import { createRouter, type Router } from '@tollgate/core-native';
import type { SeedDeployment } from '../workload.js';

/** A router ready to run: `pick(i)` and `lease(i)` route for model i (mod the model count). */
export interface RouterRunner {
  readonly pick: (i: number) => void;
  readonly lease: (i: number) => void;
  close(): void;
}

/** Builds a router; `name` shares it across threads on the native engine (empty: private). */
export function routerRunner(
  engine: 'native' | 'fallback',
  deployments: readonly SeedDeployment[],
  models: readonly string[],
  options: { name?: string; strategy?: 'simple_shuffle' | 'least_busy' } = {},
): RouterRunner {
  const router: Router = createRouter({
    engine,
    seed: 1,
    strategy: options.strategy ?? 'simple_shuffle',
    deployments: deployments.map((d) => ({ ...d })),
    ...(options.name ? { name: options.name } : {}),
  });
  const count = models.length;
  let misses = 0;
  return {
    pick: (i) => {
      if (typeof router.pick(models[i % count]!) === 'string') misses++;
    },
    lease: (i) => {
      const lease = router.acquire(models[i % count]!);
      if (typeof lease === 'string') misses++;
      else lease.succeed();
    },
    close() {
      router.close();
      if (misses > 0) throw new Error(`${engine} router: ${misses} requests found no deployment`);
    },
  };
}
