import { buildCsp, keptDomains, reachable, safeSource } from './csp';
import { withPolicy } from './document';

const DEFAULT =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; " +
  "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "media-src 'self' data:; connect-src 'none'; frame-src 'none'; base-uri 'self'; " +
  "object-src 'none'; form-action 'none'";

describe('the policy an app runs under', () => {
  it('is the extension default, with no network, when nothing is declared', () => {
    expect(buildCsp(keptDomains(undefined))).toBe(DEFAULT);
    expect(buildCsp(keptDomains({ connectDomains: 'x.example' }))).toBe(
      DEFAULT
    );
  });

  it('adds exactly the declared domains, each to its own directives', () => {
    const domains = keptDomains({
      connectDomains: [
        'https://api.example.com',
        'wss://live.example.com:8443'
      ],
      resourceDomains: ['cdn.example.com', '*.tiles.example.org'],
      frameDomains: ['https://embed.example.net'],
      baseUriDomains: ['https://base.example.com']
    });
    const csp = buildCsp(domains);
    expect(csp).toContain(
      'connect-src https://api.example.com wss://live.example.com:8443;'
    );
    expect(csp).toContain(
      "script-src 'self' 'unsafe-inline' https://cdn.example.com https://*.tiles.example.org;"
    );
    expect(csp).toContain(
      "img-src 'self' data: https://cdn.example.com https://*.tiles.example.org;"
    );
    expect(csp).toContain('frame-src https://embed.example.net;');
    expect(csp).toContain('base-uri https://base.example.com;');
    expect(csp.endsWith("object-src 'none'; form-action 'none'")).toBe(true);
    expect(reachable(domains)).toEqual([
      'https://api.example.com',
      'wss://live.example.com:8443',
      'https://cdn.example.com',
      'https://*.tiles.example.org',
      'https://embed.example.net'
    ]);
  });

  it('drops anything that could loosen the policy or reach local services', () => {
    const refused = [
      'evil.example; script-src *',
      "'unsafe-eval'",
      '*',
      'https://*',
      '*.com',
      'data:',
      'blob:',
      'http://plain.example.com',
      'javascript:alert(1)',
      'https://a.example.com/path',
      'https://a.example.com?q=1',
      'https://a b.example.com',
      'https://"quoted".example.com',
      'https://localhost:8888',
      'https://jupyter.local',
      'https://127.0.0.1:8888',
      'https://10.0.0.1',
      'https://[::1]',
      'https://a.example.com:99999',
      'https://a.example.com\nscript-src *',
      42,
      null
    ];
    for (const domain of refused) {
      expect([domain, safeSource(domain)]).toEqual([domain, null]);
    }
    expect(buildCsp(keptDomains({ connectDomains: refused }))).toBe(DEFAULT);
  });

  it('keeps a domain once, and at most 32 of a kind', () => {
    const many = Array.from({ length: 40 }, (_, i) => `h${i}.example.com`);
    const domains = keptDomains({
      connectDomains: [...many, 'h0.example.com']
    });
    expect(domains.connectDomains).toHaveLength(32);
    expect(new Set(domains.connectDomains).size).toBe(32);
  });
});

describe("the app's document", () => {
  const policy = "default-src 'none'";
  const meta = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`;

  it('gets the policy right after its doctype, before anything of its own', () => {
    const html =
      '<!DOCTYPE html>\n<html><head><script>x()</script></head></html>';
    expect(withPolicy(html, policy)).toBe(
      `<!DOCTYPE html>${meta}\n<html><head><script>x()</script></head></html>`
    );
  });

  it('gets it first of all when it has no doctype, or a comment before it', () => {
    expect(withPolicy('<script>x()</script>', policy)).toBe(
      `${meta}<script>x()</script>`
    );
    expect(withPolicy('<!-- hi --><!doctype html><p>', policy)).toBe(
      `<!-- hi --><!doctype html>${meta}<p>`
    );
  });

  it('escapes the policy as an attribute value', () => {
    const out = withPolicy('<p>', 'a "b" <c> & d');
    expect(out).toBe(
      '<meta http-equiv="Content-Security-Policy" content="a &quot;b&quot; &lt;c&gt; &amp; d"><p>'
    );
  });
});
