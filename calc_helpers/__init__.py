"""calc_helpers: the course's reference engine.

Exact answers (SymPy) for any one-variable function the course uses: derivatives, one-sided
limits, differentiability, critical points and their classification, monotonicity, concavity,
inflection points, convexity, 2-D Hessian tests and optimisation traces; the safe parser for
anything a person types; and the plot and widget builders the lessons call
(`calc_helpers.widgets`, `calc_helpers.plots`).

Conventions: variables are real symbols; ``x**(p/q)`` with odd ``q`` is the real root
(``x**(1/3)`` of a negative number is negative); results are exact wherever the answer is.
"""

from ._inputs import (
    UnknownVariable,
    as_expr,
    as_number,
    function_and_variable,
    real_symbol,
    realify,
    symbol_name,
)
from ._solve import InfinitelyManyError, UnsolvableError
from .budget import DEFAULT_SECONDS, BudgetExceeded, EngineError, Undecidable, time_budget
from .convexity import is_convex
from .critical import absolute_extrema, classify_critical_point, critical_points, inflection_points
from .derivatives import (
    KINDS,
    Differentiability,
    derivative,
    derivative_at,
    difference_quotient,
    differentiability,
    one_sided_derivatives,
    subdifferential,
)
from .implicit_root import ImplicitRoot
from .multivariate import classify_critical_point_2d, gradient, hessian
from .optimize import gradient_descent, gradient_descent_nd, newton_method
from .parsing import (
    ParseError,
    interval_between,
    parse,
    parse_interval_set,
    parse_number,
    parse_points,
    read_interval_end,
)
from .sign_charts import SignChart, concavity, monotonicity, sign_chart

__all__ = [
    "DEFAULT_SECONDS",
    "KINDS",
    "BudgetExceeded",
    "EngineError",
    "ImplicitRoot",
    "Differentiability",
    "InfinitelyManyError",
    "ParseError",
    "SignChart",
    "Undecidable",
    "UnknownVariable",
    "UnsolvableError",
    "absolute_extrema",
    "as_expr",
    "as_number",
    "classify_critical_point",
    "classify_critical_point_2d",
    "concavity",
    "critical_points",
    "derivative",
    "derivative_at",
    "difference_quotient",
    "function_and_variable",
    "differentiability",
    "gradient",
    "gradient_descent",
    "gradient_descent_nd",
    "hessian",
    "inflection_points",
    "is_convex",
    "monotonicity",
    "newton_method",
    "one_sided_derivatives",
    "parse",
    "parse_interval_set",
    "parse_number",
    "parse_points",
    "read_interval_end",
    "interval_between",
    "real_symbol",
    "realify",
    "sign_chart",
    "subdifferential",
    "symbol_name",
    "time_budget",
]
