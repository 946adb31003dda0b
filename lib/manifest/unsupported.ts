// Kubernetes fields minipod does not have, each with why and what to write instead: a manifest
// written for a cluster gets that instead of a bare "unknown field" (issue 12, point 8). A field
// not listed here (a typo, say) is still reported as unknown.

const NO_CONFIG = 'minipod has no ConfigMaps or Secrets';
const NO_STORAGE = 'there is no storage provisioner here: use hostPath (a directory on the node) or emptyDir';
const RUNC_DEFAULT = 'minipod keeps runc\'s default for it: leave it out';

const REASONS: Record<string, string> = {
  envFrom: `${NO_CONFIG}: write each variable in env (value, or valueFrom.fieldRef)`,
  lifecycle: 'postStart and preStop hooks are not run: do the work in the command, or on SIGTERM (the grace period applies)',
  configMap: `${NO_CONFIG}: put the files in a hostPath directory, or have an init container write them into an emptyDir`,
  secret: `${NO_CONFIG}: put the files in a hostPath directory, or have an init container write them into an emptyDir`,
  projected: `${NO_CONFIG}: put the files in a hostPath directory, or have an init container write them into an emptyDir`,
  downwardAPI: 'use env[].valueFrom.fieldRef instead (the same fields, as environment variables)',
  persistentVolumeClaim: NO_STORAGE,
  ephemeral: NO_STORAGE,
  nfs: NO_STORAGE,
  csi: NO_STORAGE,
  hostAliases: 'the pod\'s /etc/hosts names only the pod itself: put other names in the command\'s own configuration',
  hostname: 'the pod\'s hostname is its name (metadata.name)',
  subdomain: 'there is no cluster DNS: pods reach each other by IP (minipod ps)',
  dnsConfig: 'pods get the node\'s /etc/resolv.conf as it is',
  readinessGates: 'a pod is Ready when its containers are (probes or declared ports)',
  ephemeralContainers: 'use `minipod exec POD -- CMD` to run a command in a pod',
  activeDeadlineSeconds: 'pods run until they end or are removed: use `timeout` in the command',
  hostUsers: 'user namespaces are not used: containers run with the uid they are given',
  os: 'minipod runs Linux pods only: leave it out',
  volumeDevices: 'there are no block volumes: use volumeMounts',
  resizePolicy: 'limits are set when a container starts: change them by applying the pod again',
  seccompProfile: RUNC_DEFAULT,
  seLinuxOptions: RUNC_DEFAULT,
  appArmorProfile: RUNC_DEFAULT,
  procMount: RUNC_DEFAULT,
  windowsOptions: 'minipod runs Linux pods only: leave it out',
  sysctls: 'pod sysctls are not set: the pod\'s network namespace keeps the kernel\'s defaults',
};

/** `"envFrom" is not supported: …` for a field listed above, or undefined. */
export function unsupportedField(key: string): string | undefined {
  const why = REASONS[key];
  return why && `"${key}" is not supported: ${why}`;
}
