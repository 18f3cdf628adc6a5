/**
 * The Content-Security-Policy an app runs under, built from the domains its resource
 * declares (`_meta.ui.csp`), never looser: with nothing declared, the Apps extension's
 * default (no network at all; inline script and style, images and media from `data:`).
 *
 * A declared domain is kept only when it is an origin a policy can hold safely: an
 * `https:` or `wss:` host (a leading `*.` allowed), with an optional port and no path,
 * query, quote, semicolon or space. Loopback and bare IP hosts are refused: an app must not
 * reach the Jupyter server or other local services of the user. A host given without a
 * scheme is taken as `https://`.
 */

export interface ICspDomains {
  connectDomains?: unknown;
  resourceDomains?: unknown;
  frameDomains?: unknown;
  baseUriDomains?: unknown;
}

/** What the policy allows, by key, after the unsafe entries were dropped. */
export interface IKeptDomains {
  connectDomains: string[];
  resourceDomains: string[];
  frameDomains: string[];
  baseUriDomains: string[];
}

const HOST =
  /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const LOCAL = /(^|\.)(localhost|local|internal|localdomain)$/;
const MAX_KEPT = 32;

/** The declared domain as a safe source expression, or `null` when it is refused. */
export function safeSource(domain: unknown): string | null {
  if (typeof domain !== 'string' || domain.length > 260) {
    return null;
  }
  const match = /^(?:(https|wss):\/\/)?([^/:]+)(?::(\d{1,5}))?\/?$/.exec(
    domain.trim().toLowerCase()
  );
  if (!match) {
    return null;
  }
  const [, scheme = 'https', host, port] = match;
  if (!HOST.test(host) || LOCAL.test(host) || /^[\d.*]+$/.test(host)) {
    return null;
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return null;
  }
  return `${scheme}://${host}${port ? `:${port}` : ''}`;
}

function kept(list: unknown): string[] {
  if (!Array.isArray(list)) {
    return [];
  }
  const sources = list.map(safeSource).filter((s): s is string => s !== null);
  return Array.from(new Set(sources)).slice(0, MAX_KEPT);
}

/** Keep the declared domains a policy may hold; drop every other entry. */
export function keptDomains(
  declared: ICspDomains | null | undefined
): IKeptDomains {
  const csp = declared ?? {};
  return {
    connectDomains: kept(csp.connectDomains),
    resourceDomains: kept(csp.resourceDomains),
    frameDomains: kept(csp.frameDomains),
    baseUriDomains: kept(csp.baseUriDomains)
  };
}

function sources(base: string[], extra: string[], empty = "'none'"): string {
  const all = [...base, ...extra];
  return all.length ? all.join(' ') : empty;
}

/** The policy text for the kept domains. */
export function buildCsp(domains: IKeptDomains): string {
  const res = domains.resourceDomains;
  const directives = [
    "default-src 'none'",
    `script-src ${sources(["'self'", "'unsafe-inline'"], res)}`,
    `style-src ${sources(["'self'", "'unsafe-inline'"], res)}`,
    `img-src ${sources(["'self'", 'data:'], res)}`,
    `font-src ${sources(["'self'", 'data:'], res)}`,
    `media-src ${sources(["'self'", 'data:'], res)}`,
    `connect-src ${sources([], domains.connectDomains)}`,
    `frame-src ${sources([], domains.frameDomains)}`,
    `base-uri ${sources([], domains.baseUriDomains, "'self'")}`,
    "object-src 'none'",
    "form-action 'none'"
  ];
  return directives.join('; ');
}

/** Every domain the app may reach beyond its own document (to tell the user). */
export function reachable(domains: IKeptDomains): string[] {
  return Array.from(
    new Set([
      ...domains.connectDomains,
      ...domains.resourceDomains,
      ...domains.frameDomains
    ])
  );
}
