"""The notebook as the model sees it: cells read from the page or the saved file, and edits.

See docs/notebook.md. Nothing here imports IPython: the kernel side is
:mod:`jupyter_orch.ipython.notebook`.
"""
