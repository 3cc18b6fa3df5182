"""The shared shape of every lesson widget: a figure updated in place, controls and a read-out."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as w
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


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


class Explorer:
    """A lesson widget: `figure` redrawn in place when any of `controls` changes.

    Subclasses implement `update()` (move artists with set_data/set_offsets and refresh
    `readout`); the base class wires the observers and lays out the widget. Every control and
    the read-out carry stable CSS classes (`calc-control`, `calc-<name>`, `calc-readout`) for
    browser tests.
    """

    def __init__(self, figure: Figure, controls: Mapping[str, w.Widget], name: str) -> None:
        self.figure = figure
        self.controls = dict(controls)
        self.readout = w.HTML(layout=w.Layout(min_height="2.5em"))
        self.readout.add_class("calc-readout")
        self.name = name
        for key, control in self.controls.items():
            control.add_class("calc-control")
            control.add_class(f"calc-{key}")
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
        self.update()
        self._widget: w.Widget | None = None

    def _on_change(self, _change=None) -> None:
        self.update()
        self.figure.canvas.draw_idle()

    def update(self) -> None:
        """Bring artists and read-out in line with the controls (no new figure)."""
        raise NotImplementedError

    @property
    def widget(self) -> w.Widget:
        """The ipywidgets box to display: controls, the figure, the read-out."""
        if self._widget is None:
            canvas = self.figure.canvas
            view = canvas if isinstance(canvas, w.DOMWidget) else self._static_view()
            box = w.VBox([w.HBox(list(self.controls.values())), view, self.readout])
            box.add_class("calc-explorer")
            box.add_class(f"calc-{self.name}")
            self._widget = box
        return self._widget

    def _static_view(self) -> w.Output:
        """Fallback when the backend is not ipympl: redraw into an Output on every change."""
        out = w.Output()

        def redraw(_change=None) -> None:
            out.clear_output(wait=True)
            with out:
                from IPython.display import display

                display(self.figure)

        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(redraw, names="value")
        redraw()
        return out

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
