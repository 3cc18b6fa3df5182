"""The shared shape of every lesson widget: a figure updated in place, controls and a read-out."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


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


def freeze_layout(fig: Figure, nbins: int | None = None) -> None:
    """Run the constrained layout once, then keep it: a layout pass per draw costs more than
    drawing the artists. Limits that move later must keep tick labels short.

    With `nbins`, every axes first gets at most `nbins` intervals between major ticks (each tick
    label is a text render on every draw that is not cached).
    """
    if nbins is not None:
        for ax in fig.axes:
            ax.xaxis.set_major_locator(MaxNLocator(nbins))
            ax.yaxis.set_major_locator(MaxNLocator(nbins))
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")


def pin_axis_labels(*axes) -> None:
    """Turn the axis labels of `axes` into plain texts where the (frozen) layout puts them.

    For `StaticCache` live axes, whose `xaxis` and `yaxis` are drawn on every update: a label
    drawn by its axis is placed again on every draw (by measuring all the tick labels) and
    rendered again; as a text of the axes it is cached with the frame. Only for labels whose
    distance from the axis does not depend on the tick labels shown later: x labels (tick
    labels keep their height), y labels of axes without y tick labels. Positions are kept in
    axes coordinates, so they stay right when ipympl changes the dpi (HiDPI screens).
    """
    if not axes:
        return
    axes[0].get_figure(root=True).draw_without_rendering()  # places the labels once
    for ax in axes:
        to_axes = ax.transAxes.inverted()
        for axis in (ax.xaxis, ax.yaxis):
            label = axis.label
            x, y = to_axes.transform(label.get_transform().transform(label.get_position()))
            axis.set_label_coords(x, y)  # no placement on draw, even if shown again
            if label.get_text() and label.get_visible():
                ax.text(x, y, label.get_text(), transform=ax.transAxes,
                        fontproperties=label.get_fontproperties(), color=label.get_color(),
                        ha=label.get_horizontalalignment(), va=label.get_verticalalignment(),
                        rotation=label.get_rotation(), rotation_mode=label.get_rotation_mode())
                label.set_visible(False)


def swatch(color: str, text: str) -> str:
    """Coloured text for a read-out, standing in for a legend (a legend is slow to redraw)."""
    return f'<span style="color:{color};font-weight:600">{text}</span>'


class StaticCache:
    """Draw what does not move once, as a bitmap; each later draw pastes it and draws the rest.

    Text is the slow part of a Matplotlib draw (about a millisecond per tick label), so a
    widget hands its moving artists to `StaticCache(fig, dynamic)` and every other artist of
    the figure (curves, contours, axes, ticks, labels) is rendered once per size, dpi and set
    of axis limits. The last `layers` static layers are kept, so limits that change in steps
    (in pages) and come back cost nothing. Axes whose limits follow the controls continuously
    go in `live_axes`: their limits are left out of the key, so everything of theirs that
    depends on the limits (their `xaxis` and `yaxis`, with ticks and grid, and every artist in
    data coordinates) must be among the dynamic artists; their background, spines and texts
    in axes coordinates stay in the cached layer. Only Agg renderers (ipympl, inline PNG) use
    the cache; any other renderer (savefig to PDF or SVG) draws the figure as usual. Dynamic
    artists are drawn above the static ones of their axes, as moving things usually are.

    `figure.draw` is replaced by `StaticCache.draw`.
    """

    def __init__(self, figure: Figure, dynamic, live_axes=(), layers: int = 4) -> None:
        self.figure = figure
        self.dynamic = list(dynamic)
        self.live_axes = list(live_axes)
        self.layers = max(1, int(layers))
        self.version = 0
        self.renders = 0  # how many times a static layer was rendered (for tests)
        self._images: OrderedDict[tuple, np.ndarray] = OrderedDict()  # key -> layer, LRU
        self._draw_figure = figure.draw  # the bound Figure.draw
        figure.draw = self.draw

    def invalidate(self) -> None:
        """Call after changing a static artist: the next draw renders the static layer again."""
        self.version += 1

    def _static_artists(self) -> list:
        dynamic = {id(a) for a in self.dynamic}
        fig = self.figure
        found = [c for c in fig.get_children() if c not in fig.axes]
        for ax in fig.axes:
            found.extend(c for c in ax.get_children() if id(c) not in dynamic)
        return found

    def _current_key(self, renderer) -> tuple:
        live = {id(ax) for ax in self.live_axes}
        limits = tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.figure.axes
                       if id(ax) not in live)
        return (renderer.width, renderer.height, self.figure.dpi, limits, self.version)

    @staticmethod
    def _hide(artists) -> list[bool]:
        # set the private flag, not set_visible(): that would mark the figure stale and, in
        # interactive mode, ask for yet another draw
        saved = [a._visible for a in artists]
        for a in artists:
            a._visible = False
        return saved

    @staticmethod
    def _restore(artists, saved) -> None:
        for a, visible in zip(artists, saved, strict=True):
            a._visible = visible

    def _render_static(self, renderer) -> np.ndarray:
        """The figure without its dynamic artists, as an image for draw_image."""
        layer = RendererAgg(renderer.width, renderer.height, self.figure.dpi)
        saved = self._hide(self.dynamic)
        try:
            self._draw_figure(layer)
        finally:
            self._restore(self.dynamic, saved)
        self.renders += 1
        return np.asarray(layer.buffer_rgba())[::-1].copy()

    def draw(self, renderer) -> None:
        """Figure.draw with the static layer pasted from the cache (Agg renderers only)."""
        if not isinstance(renderer, RendererAgg):
            return self._draw_figure(renderer)
        key = self._current_key(renderer)
        image = self._images.get(key)
        if image is None:
            image = self._render_static(renderer)
            self._images[key] = image
            while len(self._images) > self.layers:
                self._images.popitem(last=False)
        else:
            self._images.move_to_end(key)
        static = self._static_artists()
        saved = self._hide(static)
        try:
            gc = renderer.new_gc()
            renderer.draw_image(gc, 0, 0, image)
            gc.restore()
            self._draw_figure(renderer)
        finally:
            self._restore(static, saved)


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
