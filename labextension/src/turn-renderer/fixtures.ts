/**
 * Turn records for the tests, shaped as the kernel writes them (docs/transcript.md).
 */

export function toolTurn(
  overrides: Record<string, unknown> = {}
): Record<string, any> {
  return {
    version: 1,
    kind: 'turn',
    key: 'default/cell:c1',
    id: 't-2',
    session: 's1',
    thread: 'default',
    position: 1,
    parent: 't-1',
    cell_id: 'c1',
    execution_count: 3,
    status: 'finished',
    stop: 'done',
    model: 'openai/test-model',
    params: { temperature: 0.2, api_base: 'http://127.0.0.1:1/v1' },
    prompt: 'What is 2 + 3?',
    answer: 'Let me add.Tool results: add: 5\n\n```python\nprint(2 + 3)\n```',
    rounds: [
      {
        index: 0,
        request_hash: 'a',
        messages: [],
        tools_hash: 'h',
        text: 'Let me add.',
        started_at: ''
      },
      {
        index: 1,
        request_hash: 'b',
        messages: [],
        tools_hash: 'h',
        text: 'Tool results: add: 5\n\n```python\nprint(2 + 3)\n```',
        started_at: ''
      }
    ],
    tool_calls: [
      {
        id: 'call_1',
        name: 'add',
        round: 0,
        arguments_json: '{"a": 2, "b": 3}',
        arguments: { a: 2, b: 3 },
        source: 'notebook',
        policy: 'ask',
        decision: {
          outcome: 'approved',
          approved: true,
          by: 'user',
          reason: '',
          always: false,
          at: ''
        },
        result: { content: '5', is_error: false },
        seconds: 0.0012,
        requested_at: ''
      }
    ],
    tools_offered: ['add'],
    tools_hash: 'h0123456789abcdef',
    usage: { prompt_tokens: 12, completion_tokens: 160, cost: 0.00042 },
    cost: 0.00042,
    latency: { first_token_s: 0.3, total_s: 1.5 },
    started_at: '2026-11-30T10:00:00.000Z',
    ended_at: '2026-11-30T10:00:01.500Z',
    versions: {
      jupyter_orch: '0.1.0',
      litellm: '1.80.0',
      python: '3.11.2',
      mcp_servers: {}
    },
    ...overrides
  };
}
