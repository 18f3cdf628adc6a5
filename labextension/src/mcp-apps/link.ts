/**
 * An app's `ui/open-link`: only `http(s)` addresses, and only after the user said yes in a
 * dialog that shows the whole address and, apart, its host.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { el } from '../common/dom';

/** The address to open, or `null` when it is not an `http(s)` URL with a host. */
export function linkTarget(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length > 4096) {
    return null;
  }
  try {
    const parsed = new URL(url);
    const web = parsed.protocol === 'https:' || parsed.protocol === 'http:';
    return web && parsed.hostname ? parsed : null;
  } catch {
    return null;
  }
}

/** Ask the user whether to open `target` for the app; open it in a new tab if so. */
export async function confirmLink(
  target: URL,
  app: { title: string; server: string }
): Promise<boolean> {
  const body = el('div', 'jp-OrchApp-link');
  body.append(
    el(
      'p',
      '',
      `The app "${app.title}" (from the MCP server ${app.server}) wants to open a page on`
    ),
    el('p', 'jp-OrchApp-linkHost', target.host),
    el('code', 'jp-OrchApp-linkUrl', target.href)
  );
  const answer = await showDialog({
    title: 'Open a link from an MCP App?',
    body: new Widget({ node: body }),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Open' })],
    defaultButton: 0 // Enter cancels: opening takes a click on Open
  });
  if (!answer.button.accept) {
    return false;
  }
  window.open(target.href, '_blank', 'noopener,noreferrer');
  return true;
}
