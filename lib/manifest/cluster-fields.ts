// Fields that `kubectl run --dry-run=client -o yaml`, `kubectl get pod -o yaml` and most published
// manifests carry but that mean nothing, or only a cluster's scheduler, on one minipod node. They
// are taken out before validation, so such a manifest runs as written: silently where the value is
// what one node does anyway (the API server also drops `status` and `creationTimestamp` on
// create), with a warning where it asks for something minipod does not do (kubectl prints the API
// server's warnings the same way, `Warning: …` on stderr). A value that would change how the pod
// runs and that minipod cannot honour is refused, saying why and what to write instead.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isEmpty = (v: unknown) => v === undefined || v === null || (isObj(v) && !Object.keys(v).length) || (Array.isArray(v) && !v.length);

/** What taking the fields out found: warnings to show, and refusals (`path: message`). */
export interface ClusterFieldReport {
  warnings: string[];
  errors: string[];
}

/** Scheduling fields: one node places every pod it is given. Empty ones, and the API server's defaults, are dropped silently. */
const SCHEDULING = ['nodeSelector', 'affinity', 'tolerations', 'topologySpreadConstraints', 'priorityClassName', 'priority', 'preemptionPolicy', 'schedulingGates', 'overhead'];
const SCHEDULING_DEFAULTS: Record<string, unknown> = { priority: 0, preemptionPolicy: 'PreemptLowerPriority' };

/** Per container: the value one node has anyway (anything else is refused with the reason). */
const CONTAINER_DEFAULTS: Record<string, { value: unknown; why: string }> = {
  terminationMessagePath: { value: '/dev/termination-log', why: 'minipod reads no termination message: the reason and exit code are in `minipod describe`, the last lines in `minipod logs -p`' },
  terminationMessagePolicy: { value: 'File', why: 'minipod reads no termination message: the last lines are in `minipod logs -p`' },
  stdin: { value: false, why: 'minipod does not attach to a container\'s stdin: leave it out and use `minipod exec -it POD -- sh`' },
  stdinOnce: { value: false, why: 'minipod does not attach to a container\'s stdin: leave it out and use `minipod exec -it POD -- sh`' },
  tty: { value: false, why: 'minipod gives a terminal to `exec -t` only: leave it out and use `minipod exec -it POD -- sh`' },
};

/** What the API server sets itself (and `get -o yaml` shows): dropped, so such output applies again. */
const SERVER_METADATA = ['creationTimestamp', 'uid', 'resourceVersion', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** `status` and the server-set metadata, dropped as the API server ignores them on create. */
export function dropServerFields(object: unknown): void {
  if (!isObj(object)) return;
  delete object.status;
  if (isObj(object.metadata)) for (const field of SERVER_METADATA) delete object.metadata[field];
}

/** Take the cluster-only fields out of a Pod object (`at` prefixes paths: "spec.template." for a Deployment's). */
export function takeClusterFields(pod: unknown, at = ''): ClusterFieldReport {
  const report: ClusterFieldReport = { warnings: [], errors: [] };
  if (!isObj(pod)) return report;
  dropServerFields(pod);
  const spec = pod.spec;
  if (!isObj(spec)) return report;
  const warn = (field: string, message: string) => report.warnings.push(`${at}spec.${field} ${message}`);
  for (const field of SCHEDULING) {
    if (!(field in spec)) continue;
    if (!isEmpty(spec[field]) && spec[field] !== SCHEDULING_DEFAULTS[field]) warn(field, 'is ignored: a minipod node runs every pod it is given (there is no scheduler)');
    delete spec[field];
  }
  // Set by the scheduler, shown by `get -o yaml`: the node that runs the pod is the one it is given to.
  delete spec.nodeName;
  if ('schedulerName' in spec) {
    if (spec.schedulerName !== 'default-scheduler') warn('schedulerName', 'is ignored: there is no scheduler');
    delete spec.schedulerName;
  }
  // No cluster DNS: kubelet without one also gives ClusterFirst pods the node's resolv.conf.
  if ('dnsPolicy' in spec) {
    if (!['ClusterFirst', 'Default', 'ClusterFirstWithHostNet'].includes(spec.dnsPolicy as string)) report.errors.push(`${at}spec.dnsPolicy: ${JSON.stringify(spec.dnsPolicy)} is not supported: pods get the node's /etc/resolv.conf (ClusterFirst and Default both mean that here)`);
    delete spec.dnsPolicy; // said once, not again as an unknown field
  }
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    if (!(field in spec)) continue;
    if (spec[field] !== 'default') warn(field, 'is ignored: there is no API server, so no service account token is mounted');
    delete spec[field];
  }
  for (const field of ['automountServiceAccountToken', 'enableServiceLinks']) delete spec[field]; // nothing to mount, no services
  if ('imagePullSecrets' in spec) {
    if (!isEmpty(spec.imagePullSecrets)) warn('imagePullSecrets', 'is ignored: minipod pulls nothing (images are imported: `minipod image import`)');
    delete spec.imagePullSecrets;
  }
  for (const list of ['containers', 'initContainers']) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: unknown, i) => {
      if (!isObj(c)) return;
      for (const [field, { value, why }] of Object.entries(CONTAINER_DEFAULTS)) {
        if (!(field in c)) continue;
        if (c[field] !== value) report.errors.push(`${at}spec.${list}[${i}].${field}: ${JSON.stringify(c[field])} is not supported: ${why}`);
        delete c[field];
      }
    });
  }
  return report;
}
