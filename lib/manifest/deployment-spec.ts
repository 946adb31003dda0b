// The validated apps/v1 Deployment: the subset minipod's controller (lib/deploy) runs. Fields a
// real Deployment may carry that minipod does not do are refused with what to write instead,
// never silently ignored: the pods would not behave as the manifest says.
import { z } from 'zod';
import { annotationsSchema, DNS_LABEL, labelsSchema, namespaceSchema, podSpecSchema } from './pod-spec.js';

/** NAME-<10-char hash>-<5-char suffix> must stay a DNS label (63): NAME at most 63 - 17. */
export const MAX_DEPLOYMENT_NAME = 46;

/** Deployment fields minipod refuses, and what to use instead (issue 12). */
const UNSUPPORTED: Record<string, string> = {
  minReadySeconds: 'minipod counts a pod available once every container is ready: remove it',
  revisionHistoryLimit: 'minipod keeps no old ReplicaSets (a changed template recreates the pods): remove it',
  progressDeadlineSeconds: 'minipod does not track rollout progress: remove it',
  paused: 'minipod cannot pause a Deployment: scale it to 0 with `minipod scale deployment/NAME --replicas=0`',
};

/** Reject a field in UNSUPPORTED with its own message rather than "unknown field". */
const refused = (field: string) => z.unknown().superRefine((_, ctx) => ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not supported: ${UNSUPPORTED[field]}` }));

const strategy = z.strictObject({
  type: z.literal('Recreate', {
    errorMap: () => ({ message: 'minipod replaces pods by Recreate only (every old pod removed, then the new ones made): write `type: Recreate` or leave strategy out' }),
  }).optional(), // `strategy: {}`, as `kubectl create deployment --dry-run=client -o yaml` writes it: unset
});

const selector = z.strictObject(
  {
    matchLabels: labelsSchema.refine((l) => Object.keys(l).length > 0, 'needs at least one label'),
    matchExpressions: z.unknown().superRefine((_, ctx) => ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'not supported: write the labels as selector.matchLabels' })).optional(),
  },
);

export const deploymentManifestSchema = z
  .strictObject({
    apiVersion: z.literal('apps/v1', { errorMap: () => ({ message: 'must be "apps/v1" for a Deployment' }) }),
    kind: z.literal('Deployment'),
    metadata: z.strictObject({
      name: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending alphanumeric').max(MAX_DEPLOYMENT_NAME, `is at most ${MAX_DEPLOYMENT_NAME} characters: its pods are named NAME-<hash>-<suffix>, a DNS label of at most 63`),
      namespace: namespaceSchema,
      labels: labelsSchema.optional(),
      annotations: annotationsSchema.optional(),
    }),
    spec: z.strictObject({
      // Left out: 1 for a new Deployment, and what it has now for one applied again (a `scale`
      // stays; kubectl apply does so only when its last apply left it out too).
      replicas: z.number().int().min(0).max(100).optional(),
      selector,
      template: z.strictObject({
        metadata: z.strictObject({ labels: labelsSchema, annotations: annotationsSchema.optional() }),
        spec: podSpecSchema,
      }),
      strategy: strategy.optional(),
      minReadySeconds: refused('minReadySeconds').optional(),
      revisionHistoryLimit: refused('revisionHistoryLimit').optional(),
      progressDeadlineSeconds: refused('progressDeadlineSeconds').optional(),
      paused: refused('paused').optional(),
    }),
  })
  .superRefine((d, ctx) => {
    const { matchLabels } = d.spec.selector;
    const labels = d.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(matchLabels)) {
      if (labels[k] !== v) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['spec', 'template', 'metadata', 'labels'], message: `must match spec.selector.matchLabels (${k}: ${v}), or the Deployment would not own its own pods` });
    }
    if ('pod-template-hash' in labels) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['spec', 'template', 'metadata', 'labels', 'pod-template-hash'], message: 'is set by the controller: remove it' });
    if (d.spec.template.spec.restartPolicy !== 'Always') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['spec', 'template', 'spec', 'restartPolicy'], message: 'must be Always in a Deployment (as in Kubernetes): its pods run for good' });
    }
  });

export type DeploymentManifest = z.infer<typeof deploymentManifestSchema>;
