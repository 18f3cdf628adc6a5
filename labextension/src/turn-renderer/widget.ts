/**
 * The renderer of `application/vnd.jupyter-orch.turn+json`: a saved turn drawn from its
 * record alone, with no kernel.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { append, el } from '../common/dom';
import type { ITurnActions } from './actions';
import { addCodeActions } from './codeblocks';
import { endNote, segments } from './format';
import { footer, infoView } from './footer';
import { renderUntrusted, type MarkdownOptions } from './markdown';
import { readTurn, TURN_MIME, type ITurn } from './record';
import { toolCallBlock } from './toolcall';

export const TURN_CLASS = 'jp-OrchTurn';

/** Draw `turn` into `host`; resolves when every Markdown part is rendered. */
export async function drawTurn(
  host: HTMLElement,
  turn: ITurn,
  options: MarkdownOptions,
  actions: ITurnActions
): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const part of segments(turn)) {
    if (part.text.trim()) {
      const answer = el('div', 'jp-OrchTurn-answer jp-RenderedMarkdown');
      host.appendChild(answer);
      pending.push(
        renderUntrusted(answer, part.text, options).then(() =>
          addCodeActions(answer, actions)
        )
      );
    }
    for (const call of part.calls) {
      const block = toolCallBlock(call, options);
      host.appendChild(block.node);
      pending.push(block.ready);
    }
  }
  const note = endNote(turn);
  if (note) {
    host.appendChild(
      el('div', `jp-OrchTurn-note jp-mod-${turn.status || 'finished'}`, note)
    );
  }
  const info = infoView(turn, actions);
  append(host, footer(turn, info), info);
  await Promise.all(pending);
}

/** A rendered turn in an output area. */
export class RenderedTurn extends Widget implements IRenderMime.IRenderer {
  constructor(
    private readonly _options: IRenderMime.IRendererOptions,
    private readonly _actions: ITurnActions
  ) {
    super();
    this.addClass(TURN_CLASS);
    // As JupyterLab's own renderers do: tests and styles find outputs by MIME type.
    this.node.dataset.mimeType = TURN_MIME;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.node.textContent = '';
    const turn = readTurn(model.data[TURN_MIME]);
    if (typeof turn === 'string') {
      this.node.appendChild(
        el('div', 'jp-OrchTurn-note jp-mod-failed', `jupyter-orch: ${turn}`)
      );
      return;
    }
    this.node.dataset.thread = turn.thread;
    await drawTurn(this.node, turn, this._options, this._actions);
  }
}

/**
 * The renderer factory. `safe`: everything is sanitized whatever the notebook's trust, so a
 * saved (untrusted) notebook renders its turns too.
 */
export function turnRendererFactory(
  actions: ITurnActions
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [TURN_MIME],
    defaultRank: 40,
    createRenderer: options => new RenderedTurn(options, actions)
  };
}
