// The Deployment routes: apply (create or change), list, get, scale, restart (kubectl rollout
// restart), remove. The controller (lib/deploy/controller.ts) does the work; the bodies are
// checked here before any of it.
import { z } from 'zod';
import { deploymentKey, type DeploymentController } from '../deploy/controller.js';
import { deploymentStatus, type DeploymentStatus } from '../deploy/status.js';
import { validateDeployment } from '../manifest/parse.js';
import type { PodManager } from '../pod/manager.js';
import type { Route } from './routes.js';
import { check, jsonObject, nameParam } from './schemas.js';
import { keyParam, listFilter, withNamespace } from './scope.js';

export const SCALE_USAGE = 'expected {"replicas": N}, N a whole number from 0 to 100';
const scaleBody = z.strictObject({ replicas: z.number().int().min(0).max(100) });

export function deploymentRoutes(deployments: DeploymentController, pods: PodManager): Route[] {
  const status = async (key: string): Promise<DeploymentStatus> => {
    const d = deployments.get(key);
    return deploymentStatus(d, deployments.podsOf(d, await pods.listObserved()));
  };
  return [
    ['GET', /^\/deployments$/, async ({ query }) => {
      const keep = listFilter(query);
      const all = await pods.listObserved();
      return { deployments: deployments.list().filter((d) => keep(d.manifest.metadata.namespace, d.manifest.metadata.labels)).map((d) => deploymentStatus(d, deployments.podsOf(d, all))) };
    }],
    ['POST', /^\/deployments$/, async ({ body, query, res }) => {
      const { deployment, result } = await deployments.apply(validateDeployment(withNamespace(jsonObject(body), query)));
      if (result === 'created') res.statusCode = 201;
      return { result, deployment: await status(deploymentKey(deployment)) };
    }],
    ['GET', /^\/deployments\/([^/]+)$/, async ({ params, query }) => status(keyParam(params[0], query, 'deployment'))],
    ['PUT', /^\/deployments\/([^/]+)\/scale$/, async ({ body, params, query }) => {
      const { replicas } = check(scaleBody, jsonObject(body), SCALE_USAGE);
      const d = await deployments.scale(keyParam(params[0], query, 'deployment'), replicas);
      return status(deploymentKey(d));
    }],
    ['POST', /^\/deployments\/([^/]+)\/restart$/, async ({ params, query }) => status(deploymentKey(await deployments.restart(keyParam(params[0], query, 'deployment'))))],
    ['DELETE', /^\/deployments\/([^/]+)$/, async ({ params, query }) => {
      await deployments.remove(keyParam(params[0], query, 'deployment'));
      return { removed: nameParam(params[0], 'deployment') };
    }],
  ];
}
