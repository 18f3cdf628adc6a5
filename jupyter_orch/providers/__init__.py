"""Model providers: LiteLLM (real), scripted (fake), local (in-process)."""
