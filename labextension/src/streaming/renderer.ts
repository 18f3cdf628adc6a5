/**
 * The renderer of `application/vnd.jupyter-orch.stream+json`: a cell's answer while it
 * streams over the bridge. The bundle names a stream id; the text comes from the bridge's
 * `stream` events (only the new text each time) and is rendered as it grows. When the turn
 * ends, the kernel replaces this output with the final standard bundle.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { StreamedMarkdown } from './markdown';
import type { StreamStore } from './store';

export const STREAM_MIME = 'application/vnd.jupyter-orch.stream+json';

/** Read the bundle's data: its stream id and format. */
export function readStreamBundle(
  data: unknown
): { id: string; format: 'markdown' | 'text' } | null {
  const d = (data ?? {}) as Record<string, unknown>;
  if (typeof d.id !== 'string' || !d.id) {
    return null;
  }
  return { id: d.id, format: d.format === 'text' ? 'text' : 'markdown' };
}

export class StreamedOutput extends Widget implements IRenderMime.IRenderer {
  constructor(
    private readonly _options: IRenderMime.IRendererOptions,
    private readonly _store: StreamStore
  ) {
    super();
    this.addClass('jp-OrchStreamedOutput');
    this.node.dataset.mimeType = STREAM_MIME;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const bundle = readStreamBundle(model.data[STREAM_MIME]);
    this._unsubscribe?.();
    this.node.textContent = '';
    if (!bundle) {
      return;
    }
    this.node.dataset.stream = bundle.id;
    const view = new StreamedMarkdown(this.node, this._options, bundle.format);
    this._unsubscribe = this._store.subscribe(bundle.id, entry => {
      view.set(entry.text);
      this.node.classList.toggle('jp-mod-ended', entry.ended);
    });
  }

  dispose(): void {
    this._unsubscribe?.();
    this._unsubscribe = null;
    super.dispose();
  }

  private _unsubscribe: (() => void) | null = null;
}

export function streamRendererFactory(
  store: StreamStore
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [STREAM_MIME],
    defaultRank: 45,
    createRenderer: options => new StreamedOutput(options, store)
  };
}
