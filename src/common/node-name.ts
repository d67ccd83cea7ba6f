/**
 * What a node may be called, everywhere: config files, CLI arguments, lease and status file names,
 * driver arguments, daemon flags. A host name, short or fully qualified (letters, digits, '-' and '.',
 * starting and ending with a letter or digit), so it is safe in a path and in argv and needs no quoting.
 * One rule, because a name accepted in one place and refused in another is a node that can run daemons
 * but not be configured, or the reverse.
 */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Keeps lease directory names far below any filesystem's name limit (255). */
export const NODE_NAME_LENGTH_MAX = 64;

/** How the rule reads in an error message. */
export const NODE_NAME_RULE = `letters, digits, '-' and '.', starting and ending with a letter or digit, at most ${NODE_NAME_LENGTH_MAX} characters`;

export function isValidNodeName(node: string): boolean {
  return node.length <= NODE_NAME_LENGTH_MAX && NODE_NAME_PATTERN.test(node);
}

/** The name, or the one problem sentence every reader of a node name gives for a bad one. */
export function checkNodeName(text: string): { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string } {
  return isValidNodeName(text) ? { ok: true, value: text } : { ok: false, problem: `Bad node name '${text}': ${NODE_NAME_RULE}` };
}
