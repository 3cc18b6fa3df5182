"""Show results the way a student reads them: typeset mathematics or a table, never a raw
Python or SymPy repr (`Interval(-1, 0)`, `Matrix([...])`, `exp(w)/(exp(w) + 1)**2`).

`show(value)` returns an IPython display object (a notebook renders it as the cell's output):

- a SymPy expression, set, matrix, number, or a tuple/list/set of them: LaTeX (`Math`);
- a dict: a two-column table, keys and values typeset;
- a long list of floats (an optimisation trace): a table of k and the value, rounded;
- a dataclass (such as `limits.Continuity`): a table of its fields;
- anything with its own Markdown or HTML view (the course's tables): that view.

`latex(value)` is the LaTeX string `show` uses; `markdown_table(headers, rows)` builds the
tables (cells are LaTeX-typeset unless already strings).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np
import sympy as sp

LONG = 6  # a list of more floats than this is shown as a table


def _float_text(value: float, digits: int = 6) -> str:
    if math.isnan(value):
        return r"\text{undefined}"
    if math.isinf(value):
        return r"+\infty" if value > 0 else r"-\infty"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def latex(value: Any) -> str:
    r"""LaTeX for a result: SymPy objects, numbers, booleans, None, strings and (nested)
    tuples, lists, sets and dicts of them.

    Parameters
    ----------
    value
        The result to typeset (None reads "undefined"; floats get 6 significant digits).

    Returns
    -------
    str

    Examples
    --------
    >>> import sympy as sp
    >>> latex(sp.Interval(-1, 0))
    '\\left[-1, 0\\right]'
    >>> print(latex([1.5, None, True]))
    \left[ 1.5, \text{undefined}, \text{True} \right]
    >>> print(latex({"a": sp.sqrt(2)}))
    \left\{ \text{a}: \sqrt{2} \right\}
    """
    if value is None:
        return r"\text{undefined}"
    if isinstance(value, np.ndarray):
        return latex(value.tolist())
    if isinstance(value, np.generic):
        return latex(value.item())
    if isinstance(value, bool) or value is sp.true or value is sp.false:
        return rf"\text{{{bool(value)}}}"
    if isinstance(value, str):
        return rf"\text{{{value}}}"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{latex(k)}: {latex(v)}" for k, v in value.items())
        return rf"\left\{{ {items} \right\}}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(latex(v) for v in value)
        return rf"\left[ {inner} \right]" if isinstance(value, list) else rf"\left( {inner} \right)"
    if isinstance(value, (set, frozenset)):
        return latex(sp.FiniteSet(*value))
    return sp.latex(sp.sympify(value))


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    # a bare | would end the Markdown cell: |u| is typeset with \lvert, \rvert instead
    text = latex(value).replace(r"\left|", r"\left\lvert ").replace(r"\right|", r"\right\rvert ")
    return "$" + text.replace("|", r"\vert ") + "$"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    r"""A Markdown table; string cells are kept as they are, other cells typeset as LaTeX.

    Parameters
    ----------
    headers
        The column headings (Markdown).
    rows
        The rows, one value per column.

    Returns
    -------
    str

    Examples
    --------
    >>> import sympy as sp
    >>> print(markdown_table(["x", "f(x)"], [[1, sp.sqrt(2)], ["two", 0.5]]))
    | x | f(x) |
    |---|---|
    | $1$ | $\sqrt{2}$ |
    | two | $0.5$ |
    """
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _is_float_sequence(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) > LONG
        and all(isinstance(v, Real) and not isinstance(v, bool) for v in value)
        and any(isinstance(v, float) for v in value)
    )


def show(value: Any, label: str | None = None, name: str = "value"):
    r"""The notebook display of a result: `Math` for formulas, `Markdown` for tables.

    `label` is LaTeX written before the value (``show(d, "f'(x) =")``), or the heading of a
    dict's key column; `name` heads the value column of a dict's table or of a trace table (a
    long list of floats, rows k = 0, 1, ...).

    Parameters
    ----------
    value
        The result to show.
    label
        LaTeX before the value, or the heading of a dict's key column.
    name
        The heading of the value column of a table.

    Returns
    -------
    IPython.display.Math or IPython.display.Markdown or IPython.display.HTML

    Examples
    --------
    >>> import sympy as sp
    >>> shown = show(sp.sqrt(2), "f'(1) =")
    >>> type(shown).__name__, shown.data
    ('Math', "f'(1) = \\sqrt{2}")
    >>> print(show([1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625], name="x_k").data)
    | $k$ | x_k |
    |---|---|
    | 0 | $1$ |
    | 1 | $0.5$ |
    | 2 | $0.25$ |
    | 3 | $0.125$ |
    | 4 | $0.0625$ |
    | 5 | $0.03125$ |
    | 6 | $0.015625$ |
    """
    from IPython.display import HTML, Markdown, Math

    if hasattr(value, "_repr_markdown_") and not isinstance(value, sp.Basic):
        return Markdown(value._repr_markdown_())
    if hasattr(value, "_repr_html_") and not isinstance(value, sp.Basic):
        return HTML(value._repr_html_())
    if _is_float_sequence(value):
        rows = [(str(k), f"${_float_text(float(v))}$") for k, v in enumerate(value)]
        return Markdown(markdown_table(["$k$", name], rows))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        rows = [(f.name.replace("_", " "), getattr(value, f.name))
                for f in dataclasses.fields(value)]
        return Markdown(markdown_table(["", ""], rows))
    if isinstance(value, Mapping) and value:
        headers = [label or "", "" if name == "value" else name]
        return Markdown(markdown_table(headers, [(k, v) for k, v in value.items()]))
    text = latex(value)
    return Math(f"{label} {text}" if label else text)
