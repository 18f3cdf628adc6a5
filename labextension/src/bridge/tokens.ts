/**
 * The bridge as a service other plugins use (status, notifications, and later the notebook
 * tools, the side panel and MCP Apps).
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

/** `connecting` → `connected`, or `absent` (no jupyter-orch in the kernel), `refused`. */
export type BridgeState =
  'connecting' | 'connected' | 'absent' | 'refused' | 'closed';

/** Answers a kernel's request; throw an Error to answer with its one-line message. */
export type RequestHandler = (
  params: any,
  connection: IBridgeConnection
) => unknown;

export interface IBridgeConnection {
  /** The kernel connection this bridge runs over. */
  readonly kernel: Kernel.IKernelConnection;
  readonly state: BridgeState;
  /** Why the state is what it is (a refusal's one line), or ''. */
  readonly message: string;
  /** The capabilities the kernel accepted from this page. */
  readonly capabilities: string[];
  /** The methods the kernel answers. */
  readonly methods: string[];
  /** The state the kernel sent in its welcome (status, pending approvals). */
  readonly welcomeState: unknown;
  readonly stateChanged: ISignal<IBridgeConnection, BridgeState>;
  /** Ask the kernel; rejects with a one-line Error on timeout or the kernel's error. */
  request(
    method: string,
    params?: unknown,
    timeoutMs?: number
  ): Promise<unknown>;
}

export interface IBridgeEvent {
  connection: IBridgeConnection;
  name: string;
  data: any;
}

export interface IOrchBridge {
  /** This page's id (new after each reload). */
  readonly pageId: string;
  /** Offer a capability to the kernels (features call this in their activation). */
  addCapability(name: string): void;
  /** Answer the kernels' requests of `method`. */
  handle(method: string, handler: RequestHandler): void;
  /** The connection of a notebook's (or console's) session, if any. */
  connectionFor(
    context: ISessionContext | null | undefined
  ): IBridgeConnection | null;
  /** Follow a session context (the bridge follows every notebook by itself). */
  watch(context: ISessionContext): void;
  readonly connections: IBridgeConnection[];
  /** A connection changed state (connected, refused, closed...). */
  readonly connectionChanged: ISignal<IOrchBridge, IBridgeConnection>;
  /** An event from a kernel. */
  readonly eventReceived: ISignal<IOrchBridge, IBridgeEvent>;
}

export const IOrchBridge = new Token<IOrchBridge>(
  'jupyter-orch:IOrchBridge',
  'The page-kernel bridge of jupyter-orch.'
);
