"""Figures for notebooks: the one way lessons, tables and widgets create a Matplotlib figure.

Outside `widgets` so that the engine's plots (`ml_losses`, `worked_example`) need no widget
code: the widgets import the engine, never the other way round.
"""

from __future__ import annotations

import matplotlib.pyplot as plt


def new_figure(figsize: tuple[float, float] = (6.4, 4.0), ncols: int = 1):
    """A figure and its axes, created without being displayed (the widget displays it once)."""
    with plt.ioff():
        fig, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
    canvas = fig.canvas
    for attribute, value in (("header_visible", False), ("toolbar_visible", False),
                             ("resizable", False)):
        if hasattr(canvas, attribute):
            setattr(canvas, attribute, value)
    return fig, axes
