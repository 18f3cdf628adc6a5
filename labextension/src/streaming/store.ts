/**
 * The texts streamed over the bridge (`stream` events), by stream id: each event carries
 * only the new text, which is appended here; outputs subscribe to their id.
 */

export interface IStreamEntry {
  text: string;
  ended: boolean;
}

type Listener = (entry: IStreamEntry) => void;

/** Read a `stream` event's data; null when it names no stream. */
export function readStreamEvent(
  data: unknown
): { id: string; text: string; end: boolean } | null {
  const d = (data ?? {}) as Record<string, unknown>;
  if (typeof d.id !== 'string' || !d.id) {
    return null;
  }
  return {
    id: d.id,
    text: typeof d.text === 'string' ? d.text : '',
    end: d.end === true
  };
}

export class StreamStore {
  /** `limit`: how many streams are kept once nobody shows them (the oldest go first). */
  constructor(private readonly _limit = 64) {}

  /** Take one `stream` event. */
  feed(data: unknown): void {
    const event = readStreamEvent(data);
    if (!event) {
      return;
    }
    const entry = this._entry(event.id);
    entry.text += event.text;
    entry.ended = entry.ended || event.end;
    this._listeners.get(event.id)?.forEach(listener => listener(entry));
    this._prune();
  }

  /** What has arrived of stream `id`, if anything. */
  get(id: string): IStreamEntry | undefined {
    return this._entries.get(id);
  }

  /** Call `listener` with the stream's text now (if any) and at each change; returns the unsubscribe. */
  subscribe(id: string, listener: Listener): () => void {
    const listeners = this._listeners.get(id) ?? new Set<Listener>();
    listeners.add(listener);
    this._listeners.set(id, listeners);
    const entry = this._entries.get(id);
    if (entry) {
      listener(entry);
    }
    return () => {
      listeners.delete(listener);
      if (!listeners.size) {
        this._listeners.delete(id);
      }
    };
  }

  get size(): number {
    return this._entries.size;
  }

  private _entry(id: string): IStreamEntry {
    let entry = this._entries.get(id);
    if (!entry) {
      entry = { text: '', ended: false };
      this._entries.set(id, entry);
    }
    return entry;
  }

  private _prune(): void {
    for (const id of this._entries.keys()) {
      if (this._entries.size <= this._limit) {
        return;
      }
      if (!this._listeners.has(id)) {
        this._entries.delete(id);
      }
    }
  }

  private _entries = new Map<string, IStreamEntry>();
  private _listeners = new Map<string, Set<Listener>>();
}
