// An object without its undefined fields: what an optional field with exactOptionalPropertyTypes
// takes (a field left out, never one set to undefined).

/** o's fields whose value is not undefined. */
export function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
