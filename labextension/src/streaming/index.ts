/**
 * `jupyter-orch:streaming`: a cell's answer streamed over the bridge. The page offers the
 * `stream` capability; the kernel then sends only the new text of each answer, and this
 * plugin renders it into the cell's output as it grows.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { IOrchBridge } from '../bridge/tokens';
import { streamRendererFactory } from './renderer';
import { StreamStore } from './store';

export { StreamedMarkdown } from './markdown';
export { readStreamEvent, StreamStore } from './store';
export { STREAM_MIME } from './renderer';

export const streamingPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:streaming',
  description:
    'Renders chat answers as they stream over the bridge (only new text is sent).',
  autoStart: true,
  requires: [IOrchBridge, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    bridge: IOrchBridge,
    rendermime: IRenderMimeRegistry
  ) => {
    const store = new StreamStore();
    bridge.eventReceived.connect((_, { name, data }) => {
      if (name === 'stream') {
        store.feed(data);
      }
    });
    const factory = streamRendererFactory(store);
    rendermime.addFactory(factory, factory.defaultRank);
    bridge.addCapability('stream');
  }
};
