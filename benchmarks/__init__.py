"""Benchmarks of jupyter-orch against its peers, in real kernels: ``python -m benchmarks``.

See ``docs/benchmarks.md`` for what each case measures and the latest table.
"""
