// Sorting by text in code-unit order: what minipod sorts by are ISO 8601 timestamps (whose text
// order is their time order), names of ASCII letters, digits and "-", and object keys.
// String.prototype.localeCompare would give the same order here, but its first call builds an ICU
// collator: 15 ms of a daemon's start (it lists its pods once, oldest first), and each compare
// after costs more than `<`.

/** A comparator for sort(): a before b when its text comes first. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
