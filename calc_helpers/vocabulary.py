"""The course's words for what the engine finds: one place for the labels every reader sees.

The engine answers with short labels (`classify_critical_point` says "local_min",
`differentiability` says "vertical_tangent", a sign chart says +1 or -1). Tables, worked
examples, widget read-outs, lesson solutions and check messages turn them into plain words with
the maps below, so a label reads the same everywhere. A place that needs more (an article, a
reason in brackets) builds on these words instead of typing them again.

>>> POINT_WORDS["local_min"]
'local minimum'
>>> DIFFERENTIABILITY_WORDS["vertical_tangent"]
'vertical tangent'

The closeness rule for decimal answers (`REL_TOL`, `CLOSE_FACTOR`, `close`) belongs to the
checks and lives in `autograder.equivalence`; lessons that judge answers import it from there.
"""

from __future__ import annotations

# what a critical point is, by `classify_critical_point` (1-D) and `classify_critical_point_2d`
POINT_WORDS = {
    "local_min": "local minimum",
    "local_max": "local maximum",
    "neither": "neither",
    "saddle": "saddle point",
}

# the two kinds of extremum, in the order lessons list them
EXTREMA = ("local_min", "local_max")

# what the sign of f′ says about f (keys: the sign, as in a sign chart's rows)
SLOPE_WORDS = {1: "increasing", -1: "decreasing", 0: "constant"}

# what the sign of f″ says about f (f″ = 0 on an interval is worded by each table)
BEND_WORDS = {1: "concave up", -1: "concave down"}

# how f behaves at a point, by `differentiability(...).kind`
DIFFERENTIABILITY_WORDS = {
    "differentiable": "differentiable",
    "discontinuity": "discontinuity",
    "corner": "corner",
    "cusp": "cusp",
    "vertical_tangent": "vertical tangent",
}

__all__ = ["BEND_WORDS", "DIFFERENTIABILITY_WORDS", "EXTREMA", "POINT_WORDS", "SLOPE_WORDS"]
