/**
 * What the chat changed in one notebook, by turn, so that "Undo the chat's changes" can
 * revert a turn's edits together (pure: it only keeps what to undo).
 */
import type { Json } from './read';

/** How to undo one applied edit. */
export type Entry =
  | { kind: 'inserted'; id: string }
  | { kind: 'replaced'; id: string; before: string; after: string }
  | { kind: 'deleted'; index: number; cell: Json }
  | {
      kind: 'outputs';
      id: string;
      outputs: Json[];
      executionCount: number | null;
    };

/** The turns that changed a notebook, oldest first, with their edits in order. */
export class Journal {
  /** Keep the edits of `turn`. */
  add(turn: string, entry: Entry): void {
    const entries = this._turns.get(turn) ?? [];
    this._turns.delete(turn); // the turn moves to the end: it is the latest again
    this._turns.set(turn, [...entries, entry]);
    while (this._turns.size > MAX_TURNS) {
      this._turns.delete(this._turns.keys().next().value as string);
    }
  }

  /** The latest turn that changed something, or null. */
  get latest(): string | null {
    let last: string | null = null;
    for (const turn of this._turns.keys()) {
      last = turn;
    }
    return last;
  }

  /** How many edits `turn` made. */
  count(turn: string): number {
    return this._turns.get(turn)?.length ?? 0;
  }

  /** Forget `turn` and return its edits, newest first (the order to undo them in). */
  take(turn: string): Entry[] {
    const entries = this._turns.get(turn) ?? [];
    this._turns.delete(turn);
    return [...entries].reverse();
  }

  private _turns = new Map<string, Entry[]>();
}

/** Turns remembered per notebook. */
const MAX_TURNS = 20;
