// The Deployment routes: apply (create or change), list, get, scale, remove. The controller
// (lib/deploy/controller.ts) does the work; the bodies are checked here before any of it.
import { z } from 'zod';
import type { DeploymentController } from '../deploy/controller.js';
import { deploymentStatus, type DeploymentStatus } from '../deploy/status.js';
import { validateDeployment } from '../manifest/parse.js';
import type { PodManager } from '../pod/manager.js';
import type { Route } from './routes.js';
import { check, jsonObject, nameParam } from './schemas.js';

export const SCALE_USAGE = 'expected {"replicas": N}, N a whole number from 0 to 100';
const scaleBody = z.strictObject({ replicas: z.number().int().min(0).max(100) });

export function deploymentRoutes(deployments: DeploymentController, pods: PodManager): Route[] {
  const status = async (name: string): Promise<DeploymentStatus> => {
    const d = deployments.get(name);
    return deploymentStatus(d, deployments.podsOf(d, await pods.listObserved()));
  };
  return [
    ['GET', /^\/deployments$/, async () => {
      const all = await pods.listObserved();
      return { deployments: deployments.list().map((d) => deploymentStatus(d, deployments.podsOf(d, all))) };
    }],
    ['POST', /^\/deployments$/, async ({ body, res }) => {
      const { deployment, result } = await deployments.apply(validateDeployment(jsonObject(body)));
      if (result === 'created') res.statusCode = 201;
      return { result, deployment: await status(deployment.name) };
    }],
    ['GET', /^\/deployments\/([^/]+)$/, async ({ params }) => status(deploymentName(params[0]))],
    ['PUT', /^\/deployments\/([^/]+)\/scale$/, async ({ body, params }) => {
      const { replicas } = check(scaleBody, jsonObject(body), SCALE_USAGE);
      const d = await deployments.scale(deploymentName(params[0]), replicas);
      return status(d.name);
    }],
    ['DELETE', /^\/deployments\/([^/]+)$/, async ({ params }) => {
      const name = deploymentName(params[0]);
      await deployments.remove(name);
      return { removed: name };
    }],
  ];
}

const deploymentName = (raw: string | undefined): string => nameParam(raw, 'deployment');
