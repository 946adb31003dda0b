// A pod's key: how it is named wherever one name must stand for (namespace, name) — the registry,
// its record file, its log directory, its `ip netns` name. A pod of `default` keeps its plain name
// (as every pod was named before namespaces, so an older state dir is read as it is); one of
// another namespace is NS_NAME: "_" is in no DNS label, so no two pods share a key.
import { DEFAULT_NAMESPACE } from './names.js';

export function podKey(namespace: string, name: string): string {
  return namespace === DEFAULT_NAMESPACE ? name : `${namespace}_${name}`;
}

/** A record without a namespace (written before them) is in default. */
export const keyOf = (r: { namespace?: string; name: string }): string => podKey(r.namespace ?? DEFAULT_NAMESPACE, r.name);

/** The (namespace, name) a key stands for. */
export function parseKey(key: string): { namespace: string; name: string } {
  const at = key.indexOf('_');
  return at < 0 ? { namespace: DEFAULT_NAMESPACE, name: key } : { namespace: key.slice(0, at), name: key.slice(at + 1) };
}

/** `pod web` in default, `pod web in namespace team-a` elsewhere: what messages name a pod by. */
export function podTitle(key: string): string {
  const { namespace, name } = parseKey(key);
  return namespace === DEFAULT_NAMESPACE ? `pod ${name}` : `pod ${name} in namespace ${namespace}`;
}

/** ` -n NS` for a pod outside default: the flag of the listing that shows it. */
export function listFlag(key: string): string {
  const { namespace } = parseKey(key);
  return namespace === DEFAULT_NAMESPACE ? '' : ` -n ${namespace}`;
}
