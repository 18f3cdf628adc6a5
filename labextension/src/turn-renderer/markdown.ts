/**
 * Markdown of a record, rendered by JupyterLab's own pipeline with the sanitizer on: the
 * record is untrusted whatever the notebook's trust, so `trusted` is always false.
 */
import { renderMarkdown } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

/** What rendering Markdown needs from the renderer's options. */
export type MarkdownOptions = Pick<
  IRenderMime.IRendererOptions,
  | 'sanitizer'
  | 'resolver'
  | 'linkHandler'
  | 'latexTypesetter'
  | 'markdownParser'
  | 'translator'
>;

/** Render untrusted Markdown into `host`. */
export async function renderUntrusted(
  host: HTMLElement,
  source: string,
  options: MarkdownOptions
): Promise<void> {
  await renderMarkdown({
    host,
    source,
    trusted: false,
    sanitizer: options.sanitizer,
    resolver: options.resolver,
    linkHandler: options.linkHandler,
    latexTypesetter: options.latexTypesetter,
    markdownParser: options.markdownParser ?? null,
    translator: options.translator,
    shouldTypeset: true
  });
  neutraliseLinks(host);
}

/**
 * Links may only go to http(s) or mailto, open in a new tab and carry no referrer. The
 * sanitizer already drops `javascript:` URLs; this is the second lock on that door.
 */
export function neutraliseLinks(host: HTMLElement): void {
  host.querySelectorAll('a').forEach(link => {
    const href = link.getAttribute('href') ?? '';
    if (!/^(https?:|mailto:|#)/i.test(href.trim())) {
      link.removeAttribute('href');
    } else if (!href.startsWith('#')) {
      link.target = '_blank';
      link.rel = 'noopener noreferrer nofollow';
    }
  });
}
