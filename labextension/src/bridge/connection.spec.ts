import { BridgeConnection } from './connection';
import { KERNEL_TARGET, type IHandshake } from './protocol';

/** A comm as JupyterLab's kernel connection hands it out, recording what the page sends. */
class FakeComm {
  constructor(readonly targetName: string) {}
  opened: unknown = null;
  sent: any[] = [];
  closed = false;
  isDisposed = false;
  onMsg: (msg: any) => void = () => undefined;
  onClose: (msg: any) => void = () => undefined;
  open(data: unknown): void {
    this.opened = data;
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.onClose({});
  }
  /** The kernel sends `data` to the page. */
  deliver(data: unknown): void {
    this.onMsg({ content: { data } });
  }
}

class FakeKernel {
  comms: FakeComm[] = [];
  createComm(target: string): FakeComm {
    const comm = new FakeComm(target);
    this.comms.push(comm);
    return comm;
  }
}

const HANDSHAKE: IHandshake = {
  protocol: 1,
  page: { id: 'p1', app: 'jupyterlab', version: '4.6.6' },
  capabilities: ['notify', 'status']
};

function setup(handlers: Record<string, (params: any) => unknown> = {}) {
  const kernel = new FakeKernel();
  const events: [string, unknown][] = [];
  const connection = new BridgeConnection(kernel as any, {
    handler: method => handlers[method],
    event: (_c, name, data) => events.push([name, data]),
    changed: () => undefined
  });
  connection.open(HANDSHAKE);
  return { kernel, connection, comm: kernel.comms[0], events };
}

const WELCOME = {
  type: 'welcome',
  protocol: 1,
  kernel: {},
  capabilities: ['status'],
  methods: ['approval.decide'],
  state: { status: { state: 'idle' } }
};

describe('a bridge connection', () => {
  it('opens its comm with the handshake and is connected after the welcome', () => {
    const { comm, connection } = setup();
    expect(comm.targetName).toBe(KERNEL_TARGET);
    expect(comm.opened).toEqual(HANDSHAKE);
    expect(connection.state).toBe('connecting');
    comm.deliver(WELCOME);
    expect(connection.state).toBe('connected');
    expect(connection.capabilities).toEqual(['status']);
    expect(connection.welcomeState).toEqual({ status: { state: 'idle' } });
  });

  it('is absent when the kernel closes the comm before any welcome', () => {
    const { comm, connection } = setup();
    comm.close();
    expect(connection.state).toBe('absent');
  });

  it('shows a refusal as one line', () => {
    const { comm, connection } = setup();
    comm.deliver({ type: 'refused', protocol: 1, message: 'protocol 2\nvs 1' });
    comm.close();
    expect(connection.state).toBe('refused');
    expect(connection.message).toBe('protocol 2 vs 1');
  });

  it('refuses a kernel that speaks another protocol', () => {
    const { comm, connection } = setup();
    comm.deliver({ ...WELCOME, protocol: 7 });
    expect(connection.state).toBe('refused');
    expect(connection.message).toContain('protocol 7');
    expect(comm.closed).toBe(true);
  });

  it('matches answers to requests by id, and a missing answer times out in one line', async () => {
    const { comm, connection } = setup();
    comm.deliver(WELCOME);
    const asked = connection.request('approval.decide', { call_id: 'c' });
    const { id } = comm.sent[0];
    comm.deliver({ type: 'response', id, result: { decided: true } });
    await expect(asked).resolves.toEqual({ decided: true });
    const failed = connection.request('approval.decide', {});
    comm.deliver({
      type: 'response',
      id: comm.sent[1].id,
      error: { message: 'no such call' }
    });
    await expect(failed).rejects.toThrow('jupyter-orch: no such call');
    await expect(connection.request('slow', {}, 20)).rejects.toThrow(
      "jupyter-orch bridge: the kernel did not answer 'slow' within 0.02 s"
    );
  });

  it('answers the kernel requests it has handlers for, and others with an error', async () => {
    const { comm } = setup({
      ping: () => ({}),
      fail: () => {
        throw new Error('nope\nnope');
      }
    });
    comm.deliver(WELCOME);
    comm.deliver({ type: 'request', id: 'k1', method: 'ping', params: null });
    comm.deliver({ type: 'request', id: 'k2', method: 'fail', params: null });
    comm.deliver({ type: 'request', id: 'k3', method: 'other', params: null });
    await new Promise(resolve => setTimeout(resolve, 0));
    const sent = [...comm.sent].sort((a, b) => a.id.localeCompare(b.id));
    expect(sent).toEqual([
      { type: 'response', id: 'k1', result: {} },
      { type: 'response', id: 'k2', error: { message: 'nope nope' } },
      {
        type: 'response',
        id: 'k3',
        error: { message: "unknown method 'other'" }
      }
    ]);
  });

  it('passes events on and says goodbye when the page goes', () => {
    const { comm, connection, events } = setup();
    comm.deliver(WELCOME);
    comm.deliver({
      type: 'event',
      event: 'status',
      data: { state: 'streaming' }
    });
    expect(events).toEqual([['status', { state: 'streaming' }]]);
    connection.goodbye();
    expect(comm.sent).toEqual([{ type: 'goodbye' }]);
    expect(comm.closed).toBe(true);
  });
});
