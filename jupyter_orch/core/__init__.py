"""Pure async core: messages, events, threads, tools, policy and the orchestrator."""
