/** Command ids of the notifications feature. */
export const SHOW_PENDING = 'jupyter-orch:show-pending-approval';
