/**
 * The message box and what goes with a message: the model (the configured one and those
 * used recently, or any typed), temperature and max tokens, Send and Stop. Enter sends,
 * Shift+Enter adds a newline.
 */
import { append, el } from '../common/dom';
import { modelChoices, readParams, sendsOnKey } from './format';

export interface IComposerHooks {
  send(
    text: string,
    model: string,
    params: Record<string, number>
  ): Promise<boolean>;
  stop(): void;
}

const STORE = 'jupyter-orch:side-panel:settings';

function field(
  label: string,
  input: HTMLInputElement,
  className: string
): HTMLElement {
  const wrap = el('label', `jp-OrchComposer-field ${className}`);
  append(wrap, el('span', 'jp-OrchComposer-label', label), input);
  return wrap;
}

export class Composer {
  constructor(private readonly _hooks: IComposerHooks) {
    this._box.placeholder =
      'Message the model (Enter sends, Shift+Enter: new line)';
    this._box.setAttribute('aria-label', 'Message');
    this._box.rows = 3;
    this._box.addEventListener('keydown', event => {
      if (sendsOnKey(event)) {
        event.preventDefault();
        void this._send();
      }
    });
    this._model.setAttribute('list', this._choices.id);
    this._model.placeholder = 'the configured model';
    this._model.setAttribute('aria-label', 'Model');
    this._temperature.type = this._maxTokens.type = 'number';
    this._temperature.step = '0.1';
    this._temperature.min = '0';
    this._temperature.max = '2';
    this._temperature.setAttribute('aria-label', 'Temperature');
    this._maxTokens.min = '1';
    this._maxTokens.setAttribute('aria-label', 'Max tokens');
    this._sendButton.type = this._stopButton.type = 'button';
    this._sendButton.addEventListener('click', () => void this._send());
    this._stopButton.addEventListener('click', () => this._hooks.stop());
    this._restore();
    const settings = el('div', 'jp-OrchComposer-settings');
    append(
      settings,
      field('Model', this._model, 'jp-OrchComposer-model'),
      field('Temperature', this._temperature, 'jp-OrchComposer-temperature'),
      field('Max tokens', this._maxTokens, 'jp-OrchComposer-maxTokens'),
      this._choices
    );
    const buttons = el('div', 'jp-OrchComposer-buttons');
    append(buttons, this._error, this._stopButton, this._sendButton);
    append(this.node, settings, this._box, buttons);
    this.running(false);
  }

  readonly node = el('div', 'jp-OrchComposer');

  /** Offer the configured and recent models in the picker. */
  models(configured: string, recent: string[]): void {
    this._choices.textContent = '';
    this._model.placeholder = configured || 'no model configured';
    for (const model of modelChoices(configured, recent, this._typed)) {
      const option = el('option');
      option.value = model;
      this._choices.appendChild(option);
    }
  }

  /** A turn of this thread runs (Stop enabled) or not. */
  running(running: boolean): void {
    this._stopButton.disabled = !running;
    this._sendButton.disabled = running || this._sending;
  }

  /** Say what went wrong, in one line (cleared by the next send). */
  error(message: string): void {
    this._error.textContent = message;
  }

  focus(): void {
    this._box.focus();
  }

  private async _send(): Promise<void> {
    const text = this._box.value.trim();
    if (!text || this._sending || this._sendButton.disabled) {
      return;
    }
    const read = readParams(this._temperature.value, this._maxTokens.value);
    if ('error' in read) {
      this.error(read.error);
      return;
    }
    this.error('');
    this._sending = true;
    this._sendButton.disabled = true;
    const model = this._model.value.trim();
    this._save(model);
    try {
      if (await this._hooks.send(text, model, read.params)) {
        this._box.value = ''; // kept on an error, to mend and send again
      }
    } finally {
      this._sending = false;
      this._sendButton.disabled = this._stopButton.disabled === false;
    }
  }

  private _save(model: string): void {
    if (model && !this._typed.includes(model)) {
      this._typed = [model, ...this._typed].slice(0, 8);
    }
    const settings = {
      model,
      typed: this._typed,
      temperature: this._temperature.value,
      maxTokens: this._maxTokens.value
    };
    try {
      window.localStorage.setItem(STORE, JSON.stringify(settings));
    } catch {
      // Storage may be off (private windows): the settings then last for this page only.
    }
  }

  private _restore(): void {
    let saved: Record<string, unknown> = {};
    try {
      saved = JSON.parse(window.localStorage.getItem(STORE) ?? '{}') ?? {};
    } catch {
      saved = {};
    }
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    this._model.value = text(saved.model);
    this._temperature.value = text(saved.temperature);
    this._maxTokens.value = text(saved.maxTokens);
    this._typed = Array.isArray(saved.typed)
      ? saved.typed.filter((x): x is string => typeof x === 'string')
      : [];
  }

  private _box = el('textarea', 'jp-OrchComposer-box');
  private _choices = Object.assign(el('datalist'), {
    id: `jp-OrchModels-${Math.random().toString(36).slice(2, 8)}`
  });
  private _error = el('div', 'jp-OrchComposer-error');
  private _maxTokens = el('input', 'jp-OrchComposer-input');
  private _model = el('input', 'jp-OrchComposer-input');
  private _sendButton = el(
    'button',
    'jp-OrchPanelButton jp-mod-accept jp-OrchComposer-send',
    'Send'
  );
  private _sending = false;
  private _stopButton = el(
    'button',
    'jp-OrchPanelButton jp-OrchComposer-stop',
    'Stop'
  );
  private _temperature = el('input', 'jp-OrchComposer-input');
  private _typed: string[] = [];
}
