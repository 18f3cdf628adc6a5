/**
 * What the panel remembers on this page: the thread chosen for each kernel. The kernel keeps
 * everything else (the threads themselves, their history).
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';

const THREAD_KEY = 'jupyter-orch:side-panel:thread:';

/** The thread last chosen for kernel `kernelId` on this page ('' when none). */
export function savedThread(kernelId: string | undefined): string {
  try {
    return (
      (kernelId && window.localStorage.getItem(THREAD_KEY + kernelId)) || ''
    );
  } catch {
    return ''; // storage may be off: the panel then opens on the kernel's current thread
  }
}

/** Remember `thread` as the one chosen for kernel `kernelId`. */
export function saveThread(kernelId: string | undefined, thread: string): void {
  try {
    if (kernelId) {
      window.localStorage.setItem(THREAD_KEY + kernelId, thread);
    }
  } catch {
    // Storage may be off: the choice then lasts as long as the page.
  }
}

/** Ask before clearing a thread; resolves true when the user confirms. */
export async function confirmClear(thread: string): Promise<boolean> {
  const answer = await showDialog({
    title: `Clear the thread ${thread}?`,
    body: 'Its turns are forgotten by the kernel (the transcript keeps them).',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Clear' })]
  });
  return answer.button.accept;
}
