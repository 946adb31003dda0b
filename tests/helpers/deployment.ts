// A Deployment "web" as the controller's unit tests apply it: replicas pods of a template whose
// pods are labelled app=APP and selected by it.
import type { DeploymentManifest } from '../../lib/manifest/deployment-spec.js';
import { validateDeployment } from '../../lib/manifest/parse.js';

export function webDeployment(replicas: number, app: string, podSpec: Record<string, unknown>): DeploymentManifest {
  return validateDeployment({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: podSpec },
    },
  });
}
