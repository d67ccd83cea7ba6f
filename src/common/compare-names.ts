/** Plain string order (UTF-16 code units), as names and sids are compared everywhere. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
