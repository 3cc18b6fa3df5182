"""The shared shape of every lesson widget: a figure updated in place, controls and a read-out."""

from __future__ import annotations

import math
import struct
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from functools import partial

import ipywidgets as w
import numpy as np
import sympy as sp
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font, RenderMode
from matplotlib.ticker import MaxNLocator

from .._figures import new_figure

__all__ = [
    "PALETTE", "Explorer", "GlyphCache", "StaticCache", "fast_frames", "fmt", "freeze_layout",
    "limits_from",
    "new_figure", "numeric_function", "pin_axis_labels", "plain_formula", "swatch", "tidy_axes",
]

# Every colour a widget draws with, by the role it plays (tab10 hues, greys for guides).
# A role means the same colour in every widget: a curve is blue, a tangent dark grey.
PALETTE = {
    "curve": "#1f77b4",  # the graph of f
    "tangent": "#404040",
    "secant": "#d62728",
    "point": "k",  # the point a zoom is centred on
    "ray": "#d62728",  # the one-sided tangent rays of the zoom
    "path": "#ff7f0e",  # gradient-descent iterates
    "now": "#d62728",  # the current iterate and its next step
    "left": "#d62728",  # approaching from the left
    "right": "#2ca02c",  # approaching from the right
    "value": "black",  # f(a) itself
    "area": "#c6dbef",  # the product rule's rectangle f·g
    "f_strip": "#ff7f0e",
    "g_strip": "#2ca02c",
    "corner": "#d62728",
    "outer": "#9467bd",  # the outer function of the chain rule
    "up": "#2ca02c",  # increasing / f′ > 0
    "down": "#d62728",  # decreasing / f′ < 0
    "convex": "#9467bd",  # concave up / f″ > 0
    "concave": "#ff7f0e",  # concave down / f″ < 0
    "cursor": "#555555",
    "chord": "#ff7f0e",
    "holds": "#2ca02c",  # Jensen's inequality holds
    "fails": "#d62728",
    "gd": "#ff7f0e",  # gradient descent in the race
    "newton": "#9467bd",
    "gradient": "#2ca02c",
    "plain": "#262626",  # plain gradient descent on the saddle
    "momentum": "#9467bd",
}


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


def numeric_function(expr: sp.Expr, var: sp.Symbol):
    """f as a NumPy function of an array (or a float): real values, nan where f is undefined."""
    func = sp.lambdify(var, expr, "numpy")

    def evaluate(values):
        arr = np.asarray(values, dtype=float)
        with np.errstate(all="ignore"):
            result = np.asarray(func(arr))
            if np.iscomplexobj(result):
                result = np.where(np.abs(result.imag) < 1e-12, result.real, np.nan)
            result = np.broadcast_to(result.astype(float), arr.shape)
        return result if result.ndim else float(result)

    return evaluate


def plain_formula(expr: sp.Expr) -> str:
    """A formula for an axis label, as a reader types it: `^` for powers, `·` for products.

    >>> x = sp.Symbol("x")
    >>> plain_formula(3 * x**2)
    '3·x^2'
    """
    return sp.sstr(expr).replace("**", "^").replace("*", "·")


def fmt(value: float, digits: int = 6) -> str:
    """A float for a read-out: 6 significant digits, a real minus sign, 'undefined' for nan."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, float) and math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}".replace("-", "−")


def tidy_axes(*axes, nbins: int = 5) -> None:
    """Few ticks (each tick label costs a text render on every draw) and a light grid."""
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(nbins))
        ax.yaxis.set_major_locator(MaxNLocator(nbins))
        ax.grid(alpha=0.3)


def limits_from(values: np.ndarray, margin: float = 0.1) -> tuple[float, float]:
    """Axis limits around the finite values, with a margin."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * margin or 1.0
    return lo - pad, hi + pad


class GlyphCache:
    """`RendererAgg.draw_text` for plain text, with the text layout and the glyph bitmaps kept.

    A tick label costs a FreeType layout and a render per glyph on every draw; the labels of a
    moving axis come back with the same strings at new positions. A glyph is rendered at the
    sub-pixel part of its position (FreeType's 1/64 px) and pasted at the whole-pixel part, so
    the pixels are those `RendererAgg.draw_text` gives (matplotlib 3.11's glyph path; on any
    other version `supported` is False and the renderer is left alone). Math text and other
    renderers are drawn as usual.
    """

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._layouts: dict[tuple, tuple] = {}
        self._glyphs: dict[tuple, tuple] = {}

    @staticmethod
    def supported(renderer) -> bool:
        """Whether `renderer` draws text the way this cache reproduces."""
        return (type(renderer) is RendererAgg and hasattr(FT2Font, "_layout")
                and hasattr(renderer, "_prepare_font")
                and hasattr(renderer, "_draw_text_glyphs_and_boxes"))

    def _layout(self, renderer, s: str, prop, mtext) -> tuple:
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        key = (s, hash(prop), renderer.dpi, flags, features, language)
        layout = self._layouts.get(key)
        if layout is None:
            if len(self._layouts) > self.limit:
                self._layouts.clear()
            font = renderer._prepare_font(prop)
            items = font._layout(s, flags=flags, features=features, language=language)
            layout = tuple((i.ft_object, i.glyph_index, i.x, i.y) for i in items)
            self._layouts[key] = layout
        return layout

    def draw_text(self, renderer, gc, x, y, s, prop, angle, ismath=False, mtext=None) -> None:
        """Draw `s` as `RendererAgg.draw_text(gc, x, y, s, prop, angle, ismath, mtext)`."""
        if ismath:
            return RendererAgg.draw_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)
        size = prop.get_size_in_points()
        dpi = renderer.dpi
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        flags = get_hinting_flag()
        antialiased = bool(gc.get_antialiased())
        height = renderer.height
        matrix = None
        for font, glyph, dx, dy in self._layout(renderer, s, prop, mtext):
            # FreeType's 26.6 fixed-point position, y upwards, as RendererAgg computes it
            tx = round(0x40 * (x + dx * cos - dy * sin))
            ty = round(0x40 * (height - y + dx * sin + dy * cos))
            key = (font, size, dpi, glyph, angle, tx & 0x3F, ty & 0x3F, flags, antialiased)
            cached = self._glyphs.get(key)
            if cached is None:
                if len(self._glyphs) > self.limit:
                    self._glyphs.clear()
                if matrix is None:
                    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])
                              @ [[1, 0], [0, 1]]).round().astype(int)
                font.set_size(size, dpi)
                font._set_transform(matrix, [tx & 0x3F, ty & 0x3F])
                bitmap = font._render_glyph(
                    glyph, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = np.array(bitmap.buffer)
                if not antialiased:
                    buffer *= 0xFF
                cached = (buffer, bitmap.left, bitmap.top)
                self._glyphs[key] = cached
            buffer, left, top = cached
            renderer._renderer.draw_text_image(
                buffer, left + (tx >> 6), int(height) - (top + (ty >> 6)) + buffer.shape[0],
                0, gc)


def _ticklabel_bboxes(axis, ticks, renderer) -> tuple[list, list]:
    """`Axis._get_ticklabel_bboxes` for a draw: Axis.draw measures every tick label only to
    place the axis label and the offset text; a label at set coordinates (`pin_axis_labels`)
    and an empty offset text need no measure, and the layout (frozen) does not run in a draw."""
    if not axis._autolabelpos and not axis.major.formatter.get_offset():
        return [], []
    return type(axis)._get_ticklabel_bboxes(axis, ticks, renderer)


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

    `steady` axes (`ax.xaxis`, `ax.yaxis` of live axes) are drawn over the static layer and that
    picture is kept too, per view interval of theirs: for an axis whose limits move with one
    control only (the race's step axis), moving the other controls pastes it instead of drawing
    its ticks and labels again. They are drawn under every dynamic artist.

    `figure.draw` is replaced by `StaticCache.draw`.
    """

    def __init__(self, figure: Figure, dynamic, live_axes=(), layers: int = 4,
                 steady=()) -> None:
        self.figure = figure
        self.dynamic = list(dynamic)
        self.live_axes = list(live_axes)
        self.steady = list(steady)
        self.layers = max(1, int(layers))
        self.version = 0
        self.renders = 0  # how many times a static layer was rendered (for tests)
        self.steady_renders = 0  # how many times the steady axes were drawn (for tests)
        self._images: OrderedDict[tuple, np.ndarray] = OrderedDict()  # key -> layer, LRU
        # (static key, the steady axes' view intervals) -> static layer with them drawn, LRU
        self._steady_images: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._draw_figure = figure.draw  # the bound Figure.draw
        self.glyphs = GlyphCache()  # tick labels come back with the same strings
        figure.draw = self.draw

    def invalidate(self) -> None:
        """Call after changing a static artist: the next draw renders the static layer again."""
        self.version += 1

    def _static_artists(self) -> list:
        dynamic = {id(a) for a in [*self.dynamic, *self.steady]}
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
        moving = [*self.dynamic, *self.steady]
        saved = self._hide(moving)
        try:
            self._draw_figure(layer)
        finally:
            self._restore(moving, saved)
        self.renders += 1
        return np.asarray(layer.buffer_rgba())[::-1].copy()

    def _kept(self, images: OrderedDict, key: tuple) -> np.ndarray | None:
        image = images.get(key)
        if image is not None:
            images.move_to_end(key)
        return image

    def _keep(self, images: OrderedDict, key: tuple, image: np.ndarray) -> None:
        images[key] = image
        while len(images) > self.layers:
            images.popitem(last=False)

    def _paste(self, renderer, key: tuple) -> None:
        """Fill the renderer with the static layer (and the steady axes, if any)."""
        image = self._kept(self._images, key)
        if image is None:
            image = self._render_static(renderer)
            self._keep(self._images, key, image)
        steady_key = (key, *(tuple(axis.get_view_interval()) for axis in self.steady))
        done = self._kept(self._steady_images, steady_key) if self.steady else None
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, image if done is None else done)
        gc.restore()
        if self.steady and done is None:
            for axis in self.steady:
                axis.draw(renderer)
            self.steady_renders += 1
            self._keep(self._steady_images, steady_key,
                       np.asarray(renderer.buffer_rgba())[::-1].copy())

    def draw(self, renderer) -> None:
        """Figure.draw with the static layer pasted from the cache (Agg renderers only)."""
        if not isinstance(renderer, RendererAgg):
            return self._draw_figure(renderer)
        glyphs = GlyphCache.supported(renderer)
        if glyphs:
            renderer.draw_text = partial(self.glyphs.draw_text, renderer)
        axes = [a for ax in self.live_axes for a in (ax.xaxis, ax.yaxis)]
        for axis in axes:
            axis._get_ticklabel_bboxes = partial(_ticklabel_bboxes, axis)
        try:
            self._paste(renderer, self._current_key(renderer))
            settled = [*self._static_artists(), *self.steady]
            saved = self._hide(settled)
            try:
                self._draw_figure(renderer)
            finally:
                self._restore(settled, saved)
        finally:
            if glyphs:
                del renderer.draw_text
            for axis in axes:
                del axis._get_ticklabel_bboxes


# zlib's fastest level: about half the encoding time of Pillow's default for a frame
PNG_COMPRESS_LEVEL = 1
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_rgba(data: np.ndarray, level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """An (h, w, 4) uint8 array as an RGBA PNG, every row unfiltered.

    Pillow tries every PNG filter on every row; a frame (mostly zeros, for a diff) compresses
    about as well without, in a third of the time.

    >>> from PIL import Image
    >>> from io import BytesIO
    >>> pixels = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    >>> bool((np.asarray(Image.open(BytesIO(png_rgba(pixels)))) == pixels).all())
    True
    """
    height, width, _ = data.shape
    rows = np.zeros((height, width * 4 + 1), dtype=np.uint8)  # filter byte 0: None
    rows[:, 1:] = data.reshape(height, width * 4)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return (_PNG_SIGNATURE + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, level)) + _png_chunk(b"IEND", b""))


def _diff_image_fast(canvas) -> bytes | None:
    """`FigureCanvasWebAggCore.get_diff_image` (matplotlib 3.8 to 3.11), with the PNG written
    by `png_rgba`: the same pixels, a few more bytes, several ms less per update."""
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    if (canvas._force_full or buff.shape != canvas._last_buff.shape
            or (pixels[:, :, 3] != 255).any()):
        canvas.set_image_mode("full")
        output = buff
    else:
        canvas.set_image_mode("diff")
        output = np.where(buff != canvas._last_buff, buff, 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    return png_rgba(output.view(dtype=np.uint8).reshape((*output.shape, 4)))


def fast_frames(canvas) -> bool:
    """Let an ipympl (WebAgg) canvas encode the frames it sends fast (`png_rgba`).

    The PNG encoding of each frame is a large, fixed part of a slider update (the diff image
    has the whole figure's size). Only a canvas that uses matplotlib's own `get_diff_image`,
    with the state it keeps, is changed; returns whether it was.

    >>> from matplotlib.figure import Figure
    >>> fast_frames(Figure().canvas)  # Agg: sends no frames
    False
    """
    method = getattr(type(canvas), "get_diff_image", None)
    if getattr(method, "__qualname__", "") != "FigureCanvasWebAggCore.get_diff_image":
        return False
    if not all(hasattr(canvas, name) for name in
               ("_png_is_old", "_force_full", "_last_buff", "set_image_mode")):
        return False
    canvas.get_diff_image = lambda: _diff_image_fast(canvas)
    return True


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
        fast_frames(figure.canvas)
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
