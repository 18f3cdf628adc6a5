"""Reproducible transcripts: turn records, the JSONL store, redaction, export, replay, fork.

Nothing here imports IPython, litellm or mcp: the IPython side lives in
:mod:`jupyter_orch.ipython.transcript_commands`.
"""
