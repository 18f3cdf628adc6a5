/**
 * The app's document as its iframe receives it: the policy comes first, before anything
 * of the app's own can run.
 *
 * The policy is a `<meta http-equiv="Content-Security-Policy">` placed right after the
 * document's doctype (or at its very start when it has none), so it is the first element
 * the parser meets: every script, style and request of the app comes after it and is
 * bound by it. A policy the app adds itself can only restrict further (all policies apply).
 */

const DOCTYPE = /^(\uFEFF?\s*(?:<!--[\s\S]*?-->\s*)*<!doctype[^>]*>)/i;

function attribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The document with `policy` as its first element. */
export function withPolicy(html: string, policy: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${attribute(policy)}">`;
  const match = DOCTYPE.exec(html);
  if (!match) {
    return meta + html;
  }
  const head = match[1];
  return head + meta + html.slice(head.length);
}
