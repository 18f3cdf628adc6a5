/**
 * Small DOM helpers. Every string shown from a record or a kernel message goes through
 * `textContent`, never `innerHTML`: those strings are untrusted.
 */

/**
 * Create an element with class names and, optionally, text content.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/**
 * Append children (skipping null ones) to a parent; return the parent.
 */
export function append<T extends HTMLElement>(
  parent: T,
  ...children: (Node | null | undefined)[]
): T {
  for (const child of children) {
    if (child) {
      parent.appendChild(child);
    }
  }
  return parent;
}

/**
 * A button with a JupyterLab icon and a label (the label is also the tooltip).
 */
export function iconButton(
  icon: { element(options: any): HTMLElement },
  label: string,
  className: string,
  onClick: (event: MouseEvent) => void
): HTMLButtonElement {
  const button = el('button', `jp-OrchButton ${className}`);
  button.type = 'button';
  button.title = label;
  button.setAttribute('aria-label', label);
  append(
    button,
    icon.element({ tag: 'span', className: 'jp-OrchButton-icon' }),
    el('span', 'jp-OrchButton-label', label)
  );
  button.addEventListener('click', event => {
    event.preventDefault();
    event.stopPropagation();
    onClick(event);
  });
  return button;
}
