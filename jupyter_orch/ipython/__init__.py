"""The IPython adapter: magics, cell transformer, display, widgets."""
