"""ipywidgets shown in cells: the tool-call approval card."""
