/**
 * nbformat helpers shared by the features (pure: no JupyterLab imports).
 */

/** An nbformat multiline string (a string or a list of lines) as one string. */
export function joined(value: unknown): string {
  return Array.isArray(value)
    ? value.join('')
    : typeof value === 'string'
      ? value
      : '';
}
