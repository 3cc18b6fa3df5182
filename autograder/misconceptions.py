"""Misconception tags, the message each one teaches, and generators of the wrong answers.

A misconception is diagnosed by producing, from the reference solution, the answer a student
holding it would give, and comparing the student's answer with those candidates by the same
equivalence test as the right answer. Messages name the idea, never the expected answer.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

MESSAGES: dict[str, str] = {
    "sign_error": (
        "Check your signs: the shape of your answer is right but a sign is flipped somewhere "
        "(a minus in front of a term stays in front of its derivative)."
    ),
    "missing_chain_factor": (
        "Chain rule: the derivative of g(h(x)) is g'(h(x)) times h'(x). A factor from the "
        "derivative of an inner expression seems to be missing."
    ),
    "product_rule_as_product": (
        "The derivative of a product is not the product of the derivatives: (fg)' = f'g + fg' "
        "(and (f/g)' is not f'/g')."
    ),
    "power_rule_error": (
        "Power rule: d/dx x^n = n x^(n-1). The old exponent comes down as a factor and the new "
        "exponent is one less."
    ),
    "quotient_rule_order": (
        "Quotient rule: (f/g)' = (f'g - fg')/g^2. The order of the two terms in the numerator "
        "matters, and so does the minus sign between them."
    ),
    "integrated_instead": (
        "Your answer is an antiderivative: differentiating it gives back the function. "
        "Differentiation lowers powers (x^n becomes n x^(n-1)); it does not raise them."
    ),
    "not_differentiated": (
        "Your answer is the function itself (or a lower-order derivative): it still has to be "
        "differentiated."
    ),
    "constant_factor_dropped": (
        "A constant factor went missing: (c f)' = c f', so a constant that multiplies a function "
        "stays in front of its derivative."
    ),
    "missing_point": (
        "Some points are missing: solve f'(x) = 0 completely (factor it and check every factor) "
        "and keep every solution that lies in the domain."
    ),
    "extra_point": (
        "Some of your points do not belong: substitute each one back and check the condition "
        "it has to satisfy (and that it is an interior point of the domain)."
    ),
    "missing_nondifferentiable_point": (
        "f'(x) is undefined at a point of the domain; such points are critical points too."
    ),
    "outside_domain": (
        "Part of your answer lies outside the domain of f: f must be defined at each point you "
        "give, and an interval cannot run across a point where f is undefined."
    ),
    "min_max_swapped": (
        "Minimum and maximum are swapped: where f' changes from - to + there is a local minimum, "
        "from + to - a local maximum (f''(c) > 0 means a minimum)."
    ),
    "second_derivative_test_misused": (
        "When f''(c) = 0 the second-derivative test decides nothing: use the sign of f' just "
        "left and just right of c (first-derivative test)."
    ),
    "stationary_assumed_extremum": (
        "A critical point (f'(c) = 0 or f'(c) undefined) is not automatically an extremum: "
        "it is one only if f' changes sign at c."
    ),
    "inflection_without_sign_change": (
        "f''(c) = 0 alone does not make an inflection point: f'' has to change sign at c."
    ),
    "missing_inflection": (
        "An inflection point is missing: list where f''(x) = 0 and where f''(x) is undefined "
        "(with f continuous there), then check each for a sign change of f''."
    ),
    "increasing_decreasing_swapped": (
        "Increasing and decreasing are swapped: f increases where f'(x) > 0 and decreases "
        "where f'(x) < 0."
    ),
    "concavity_swapped": (
        "Concave up and concave down are swapped: f is concave up (bends like a cup) where "
        "f''(x) > 0 and concave down where f''(x) < 0."
    ),
    "continuous_not_differentiable": (
        "Continuous does not mean differentiable: compare the slope from the left with the "
        "slope from the right at the point."
    ),
    "gradient_components_swapped": (
        "Your partial derivatives are in the wrong order: the gradient lists them in the order "
        "of the variables, the derivative with respect to the first variable first."
    ),
    "newton_root_step": (
        "That is Newton's step for solving f(x) = 0, x - f(x)/f'(x). To minimise f, Newton's "
        "method solves f'(x) = 0 instead: the step is x - f'(x)/f''(x)."
    ),
    # limits and continuity (lesson 2's checks, course/exercises/_limits.py)
    "limit_needs_value": (
        "The limit does not look at f(a): it asks which number f(x) approaches as x gets close "
        "to a, with x never equal to a. A formula that gives 0/0 at a says nothing yet: "
        "simplify it for x different from a (cancel the common factor), then let x approach a."
    ),
    "indeterminate_evaluated": (
        "0/0 is not a number (not 0, not 1): it only says that this form of the formula cannot "
        "be evaluated at a. Simplify for x different from a first."
    ),
    "limit_is_value": (
        "A one-sided limit uses only the values on that side of a: from the left, only x < a. "
        "The value f(a) and the formula for the other side do not count."
    ),
    "one_side_only": (
        "The (two-sided) limit exists only when the limits from the left and from the right "
        "are the same number; compare both sides before answering."
    ),
    "averaged_sides": (
        "The limit is not the average of the two one-sided limits: when they differ, there is "
        "no single number that f(x) approaches, and the limit does not exist."
    ),
    "hole_called_jump": (
        "A hole (a removable discontinuity) has a limit: both sides approach the same number, "
        "only f(a) is missing or different. A jump has one-sided limits that differ."
    ),
    "jump_called_hole": (
        "A removable discontinuity (a hole) needs both one-sided limits to be the same number; "
        "here compare the limit from the left with the limit from the right."
    ),
    "continuity_needs_three": (
        "Continuous at a needs all three conditions: f(a) is defined, the limit at a exists, "
        "and the two are equal. Check each one at this point."
    ),
}

# Added to a tag's message only where it applies (see `notes_for`).
COSINE_NOTE = "Remember d/dx cos(x) = -sin(x): the derivative of a cosine has a minus sign."

TAGS: tuple[str, ...] = tuple(MESSAGES)

# Rounded answers are close to right, not a misconception: they get this message and no tag.
ROUNDED: dict[str, str] = {
    "value": "close, but not accurate enough: give an exact value or more significant digits.",
    "values": (
        "close, but not accurate enough: give exact values (fractions or roots rather than "
        "rounded decimals) or more significant digits."
    ),
    "coefficients": (
        "close, but not accurate enough: give exact coefficients (fractions or roots rather "
        "than rounded decimals) or more significant digits."
    ),
}

# When one wrong answer fits several rules, the most specific tag is reported.
# A missing inner factor comes before the power rule: for (2x + 1)^2, "2(2x + 1)" is both
# "dropped the exponent 2" and "dropped the inner factor 2", and the chain rule is the slip.
DERIVATIVE_PRIORITY: tuple[str, ...] = (
    "quotient_rule_order",
    "product_rule_as_product",
    "missing_chain_factor",
    "power_rule_error",
    "constant_factor_dropped",
    "sign_error",
    "not_differentiated",
    "integrated_instead",
)


def explain(
    tags: tuple[str, ...] | list[str],
    limit: int = 2,
    notes: tuple[tuple[str, str], ...] = (),
) -> str:
    """The teaching messages of the first `limit` tags, as one paragraph.

    `notes` are (tag, sentence) pairs added after that tag's message, for remarks that fit
    only some questions (see `notes_for`).

    Parameters
    ----------
    tags : sequence of str
        Misconception tags (unknown tags are skipped).
    limit : int, optional
        How many tags to explain (default 2).
    notes : tuple of (str, str) pairs, optional
        Extra sentences per tag.

    Returns
    -------
    str
        The messages joined by spaces ("" if no tag is known).

    Examples
    --------
    >>> from autograder.misconceptions import explain
    >>> explain(("power_rule_error",))
    'Power rule: d/dx x^n = n x^(n-1). The old exponent comes down as a factor and the new
    exponent is one less.'
    >>> explain(("sign_error",), notes=(("sign_error", "Mind cos."),))
    'Check your signs: ... (a minus in front of a term stays in front of its derivative).
    Mind cos.'
    >>> explain(("no_such_tag",))
    ''
    """
    extra: dict[str, str] = {}
    for tag, note in notes:
        extra[tag] = f"{extra[tag]} {note}" if tag in extra else note
    return " ".join(
        f"{MESSAGES[tag]} {extra[tag]}" if tag in extra else MESSAGES[tag]
        for tag in list(tags)[:limit]
        if tag in MESSAGES
    )


def notes_for(functions: list[sp.Expr] | tuple[sp.Expr, ...]) -> tuple[tuple[str, str], ...]:
    """The (tag, note) remarks that fit a derivative question whose last differentiation
    step is taken of one of `functions`: the cosine sign only where a cosine appears.

    Parameters
    ----------
    functions : sequence of SymPy expressions
        The functions differentiated last.

    Returns
    -------
    tuple of (str, str) pairs
        (tag, note) pairs for `explain`.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.misconceptions import notes_for
    >>> x = sp.Symbol("x", real=True)
    >>> notes_for([sp.cos(x)])
    (('sign_error', 'Remember d/dx cos(x) = -sin(x): the derivative of a cosine has a minus
    sign.'),)
    >>> notes_for([x**2])
    ()
    """
    if any(isinstance(f, sp.Basic) and f.has(sp.cos) for f in functions):
        return (("sign_error", COSINE_NOTE),)
    return ()


def newton_mistakes(
    f: sp.Expr, x0: Any, x: sp.Symbol | str | None = None
) -> tuple[tuple[str, sp.Expr], ...]:
    """(tag, wrong value) pairs for one Newton step for minimising f from x0.

    The wrong step is Newton's root-finding step x0 - f(x0)/f'(x0) (applied to f instead of
    f'). Pass the result as ``mistakes=`` to `check_number` or `Exercise.number`.

    Parameters
    ----------
    f : SymPy expression
        The function to minimise.
    x0 : number
        The starting point.
    x : Symbol or str, optional
        The variable (default: the first free symbol of `f`, by name).

    Returns
    -------
    tuple of (str, SymPy expression) pairs
        ``(("newton_root_step", value),)``, or ``()`` where f'(x0) = 0.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder import check_number, newton_mistakes
    >>> x = sp.Symbol("x", real=True)
    >>> newton_mistakes(x**4 - 3*x, 1)
    (('newton_root_step', 3),)
    >>> check_number("3", sp.Rational(11, 12), mistakes=newton_mistakes(x**4 - 3*x, 1)).tags
    ('newton_root_step',)
    """
    if x is None:
        free = sorted(f.free_symbols, key=lambda s: s.name)
        var = free[0] if free else sp.Symbol("x", real=True)
    else:
        var = sp.Symbol(x, real=True) if isinstance(x, str) else x
        var = next((s for s in f.free_symbols if s.name == var.name), var)
    start = sp.nsimplify(x0)
    slope = sp.diff(f, var).subs(var, start)
    if slope == 0:
        return ()
    return (("newton_root_step", start - f.subs(var, start) / slope),)


# ---------------------------------------------------------------------------------------------
# Derivatives: differentiate with one rule applied wrongly
# ---------------------------------------------------------------------------------------------

_RULES = (
    "quotient_rule_order",
    "product_rule_as_product",
    "power_rule_error",
    "missing_chain_factor",
    "constant_factor_dropped",
    "sign_error",
)
_MAX_CANDIDATES = 80
_VARIANTS = {
    "quotient_rule_order": 2,
    "product_rule_as_product": 2,
    "power_rule_error": 3,
    "missing_chain_factor": 1,
    "constant_factor_dropped": 1,
    "sign_error": 0,
}


def _depends(expr: sp.Basic, x: sp.Symbol) -> bool:
    return x in expr.free_symbols


def _quotient(node: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
    """(u, v) when the node is u/v with both depending on x."""
    if not isinstance(node, sp.Mul):
        return None
    u, v = sp.fraction(node)
    if v == 1 or not (_depends(u, x) and _depends(v, x)):
        return None
    return u, v


def _wrong_at(node: sp.Expr, x: sp.Symbol, rule: str, d) -> list[sp.Expr]:
    """The derivatives of `node` a student applying `rule` wrongly would write.

    `d` differentiates the node's parts (the right rule, or the same mistake all the way down).
    Returns [] where the rule does not apply to this node.
    """
    if rule == "sign_error":
        return [-d(node)]
    if rule == "power_rule_error" and isinstance(node, sp.Pow):
        base, n = node.args
        if _depends(base, x) and not _depends(n, x) and n not in (0, 1):
            db = d(base)
            # dropping the factor n = -1 is a sign error, not a power-rule one
            dropped = base ** (n - 1) * db if n != -1 else n * base**n * db
            return [n * base**n * db, dropped, n * base ** (n + 1) * db]
        if not _depends(base, x) and _depends(n, x):
            return [n * base ** (n - 1) * d(n)]
        return []
    if rule == "missing_chain_factor":
        if isinstance(node, sp.Pow):
            base, n = node.args
            if _depends(base, x) and not _depends(n, x) and base != x:
                return [n * base ** (n - 1)]
            if not _depends(base, x) and _depends(n, x) and n != x:
                return [node * sp.log(base)]
            return []
        if isinstance(node, sp.Function) and len(node.args) == 1:
            inner = node.args[0]
            if inner != x and _depends(inner, x):
                return [_outer_derivative(node)]
        return []
    if not isinstance(node, sp.Mul):
        return []
    factors = [a for a in node.args if _depends(a, x)]
    constant = sp.Mul(*[a for a in node.args if not _depends(a, x)])
    if rule == "constant_factor_dropped":
        coefficient, rest = node.as_coeff_Mul()
        if coefficient.is_Number and abs(coefficient) != 1 and _depends(rest, x):
            return [d(rest)]
        return []
    if rule == "product_rule_as_product":
        out = []
        if len(factors) >= 2:
            out.append(constant * sp.Mul(*[d(a) for a in factors]))
        pair = _quotient(node, x)
        if pair is not None:
            u, v = pair
            out.append(d(u) / d(v))
        return out
    if rule == "quotient_rule_order":
        pair = _quotient(node, x)
        if pair is None:
            return []
        u, v = pair
        du, dv = d(u), d(v)
        return [(u * dv - du * v) / v**2, (du * v + u * dv) / v**2]
    return []


def _applies(node: sp.Expr, x: sp.Symbol, rule: str, top_terms: set, root: bool) -> bool:
    """Whether a rule is worth trying at this node (keeps the candidate list short)."""
    if not _depends(node, x):
        return False
    if rule == "sign_error":
        return root or node in top_terms or isinstance(node, (sp.Function, sp.Pow))
    if node == x:
        return False
    return True


def _partial(expr: sp.Expr, index: int) -> sp.Expr:
    """d expr / d (its index-th argument), with the other arguments held fixed."""
    args = expr.args
    if isinstance(expr, sp.Add):
        return sp.Integer(1)
    if isinstance(expr, sp.Mul):
        return sp.Mul(*(a for i, a in enumerate(args) if i != index))
    if isinstance(expr, sp.Pow):
        base, exponent = args
        return exponent * base ** (exponent - 1) if index == 0 else expr * sp.log(base)
    return _outer_derivative(expr, index)


def _outer_derivative(expr: sp.Expr, index: int = 0) -> sp.Expr:
    """g'(u) for a function node g(u) (derivative in its index-th argument, at the node)."""
    if isinstance(expr, sp.Function):
        try:
            return expr.fdiff(index + 1)
        except (sp.ArgumentIndexError, TypeError, ValueError, NotImplementedError):
            pass
    t = sp.Dummy("t", real=True)
    changed = list(expr.args)
    changed[index] = t
    return sp.diff(expr.func(*changed), t).subs(t, expr.args[index])


def _chain(expr: sp.Expr, x: sp.Symbol, inner) -> sp.Expr:
    """Chain rule through the node's arguments, differentiating each with `inner`."""
    if isinstance(expr, (sp.Piecewise, sp.Max, sp.Min)) or not all(
        isinstance(a, sp.Expr) for a in expr.args
    ):
        return sp.diff(expr, x)
    total = sp.Integer(0)
    for i, arg in enumerate(expr.args):
        if _depends(arg, x):
            total += _partial(expr, i) * inner(arg)
    return total


def _everywhere(expr: sp.Expr, x: sp.Symbol, rule: str, variant: int) -> sp.Expr:
    """The derivative with the mistake made at every node where the rule applies."""

    def d(e: sp.Expr) -> sp.Expr:
        if not _depends(e, x):
            return sp.Integer(0)
        if e == x:
            return sp.Integer(1)
        wrong = _wrong_at(e, x, rule, d)
        if len(wrong) > variant:
            return wrong[variant]
        return _chain(e, x, d)

    return d(expr)


def _nodes(expr: sp.Expr, path: tuple[int, ...] = ()):
    """(path, node) for every sub-expression, outermost first."""
    yield path, expr
    if isinstance(expr, (sp.Piecewise, sp.Max, sp.Min)):
        return
    for i, arg in enumerate(expr.args):
        if isinstance(arg, sp.Expr):
            yield from _nodes(arg, (*path, i))


def _replace(expr: sp.Expr, path: tuple[int, ...], new: sp.Expr) -> sp.Expr:
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = _replace(args[path[0]], path[1:], new)
    return expr.func(*args)


def _at(expr: sp.Expr, path: tuple[int, ...]) -> sp.Expr:
    for i in path:
        expr = expr.args[i]
    return expr


def _single(expr: sp.Expr, x: sp.Symbol, path: tuple[int, ...], wrong: sp.Expr) -> sp.Expr:
    """f' with the derivative of the node at `path` replaced by `wrong` (the rest right)."""
    node = _at(expr, path)
    if not path:
        return wrong
    t = sp.Dummy("t", real=True)
    outer = sp.diff(_replace(expr, path, t), t).subs(t, node)
    return sp.diff(expr, x) + outer * (wrong - sp.diff(node, x))


def one_step_mistakes(f: sp.Expr, x: sp.Symbol) -> list[tuple[str, sp.Expr]]:
    """(tag, wrong derivative) pairs for one differentiation of f with respect to x.

    For each rule, the mistake is made at one node of f's expression tree at a time, and also
    at every node at once (a student who believes a wrong rule applies it everywhere).

    Parameters
    ----------
    f : SymPy expression
        The function.
    x : Symbol
        The variable.

    Returns
    -------
    list of (str, SymPy expression) pairs
        At most 80 candidates; some may equal the right derivative or each other (the
        checks drop those when they sample the candidates).

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.misconceptions import one_step_mistakes
    >>> x = sp.Symbol("x", real=True)
    >>> ("power_rule_error", x**2) in one_step_mistakes(x**3, x)
    True
    >>> ("sign_error", -3 * x**2) in one_step_mistakes(x**3, x)
    True
    """
    top_terms = set(f.args) if isinstance(f, sp.Add) else set()
    out: list[tuple[str, sp.Expr]] = []
    for rule in _RULES:
        for path, node in _nodes(f):
            if not _applies(node, x, rule, top_terms, not path):
                continue
            try:
                wrongs = _wrong_at(node, x, rule, lambda e: sp.diff(e, x))
                out.extend((rule, _single(f, x, path, w)) for w in wrongs)
            except (TypeError, ValueError, AttributeError, NotImplementedError):
                continue
        for variant in range(_VARIANTS[rule]):
            try:
                out.append((rule, _everywhere(f, x, rule, variant)))
            except (TypeError, ValueError, AttributeError, NotImplementedError):
                continue
    return out[:_MAX_CANDIDATES]


def derivative_mistakes(f: sp.Expr, x: sp.Symbol, n: int = 1) -> list[tuple[str, sp.Expr]]:
    """Wrong n-th derivatives of f, each with the misconception tag that produces it.

    Candidates: a rule misapplied in the last differentiation step, or in the first step
    and then differentiated correctly; f itself and its lower derivatives (not
    differentiated enough). `integrated_instead` is detected from the student's answer
    instead (its derivative is f), see `antiderivative_of`.

    Parameters
    ----------
    f : SymPy expression
        The function.
    x : Symbol
        The variable.
    n : int, optional
        The order of the derivative (default 1).

    Returns
    -------
    list of (str, SymPy expression) pairs
        Sorted by ``DERIVATIVE_PRIORITY`` (the most specific tag first).

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.misconceptions import derivative_mistakes
    >>> x = sp.Symbol("x", real=True)
    >>> ("missing_chain_factor", sp.cos(x**2)) in derivative_mistakes(sp.sin(x**2), x)
    True
    >>> ("not_differentiated", 3 * x**2) in derivative_mistakes(x**3, x, n=2)
    True
    """
    lower = [f] + [sp.diff(f, x, k) for k in range(1, n)]
    out = one_step_mistakes(lower[-1], x)
    if n >= 2:
        out += [(tag, sp.diff(w, x, n - 1)) for tag, w in one_step_mistakes(f, x)]
    out += [("not_differentiated", g) for g in lower]
    order = {tag: i for i, tag in enumerate(DERIVATIVE_PRIORITY)}
    return sorted(out, key=lambda pair: order[pair[0]])


def antiderivative_of(answer: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """The derivative of the student's answer: equal to f when they integrated instead.

    Parameters
    ----------
    answer : SymPy expression
        The student's answer.
    x : Symbol
        The variable.

    Returns
    -------
    SymPy expression

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.misconceptions import antiderivative_of
    >>> x = sp.Symbol("x", real=True)
    >>> antiderivative_of(x**3 / 3, x)  # the answer to "differentiate x^2" was integrated
    x**2
    """
    return sp.diff(answer, x)


# ---------------------------------------------------------------------------------------------
# Classification of critical points
# ---------------------------------------------------------------------------------------------


def classification_tags(
    truth: str, said: str, stationary: bool, second_derivative_zero: bool
) -> tuple[str, ...]:
    """Tags for a critical point classified as `said` when it is `truth`.

    `stationary` is f'(c) = 0; `second_derivative_zero` is f''(c) = 0. Where both the
    second-derivative and the stationary-point mistakes fit, the more specific one
    (second_derivative_test_misused) is reported.

    Parameters
    ----------
    truth : str
        The right label: "local_min", "local_max" or "neither".
    said : str
        The student's label.
    stationary : bool
        Whether f'(c) = 0.
    second_derivative_zero : bool
        Whether f''(c) = 0.

    Returns
    -------
    tuple of str
        At most one tag; ``()`` if the label is right or no tag fits.

    Examples
    --------
    >>> from autograder.misconceptions import classification_tags
    >>> classification_tags("local_min", "local_max", True, False)
    ('min_max_swapped',)
    >>> classification_tags("neither", "local_min", True, True)  # f = x^3 at 0
    ('second_derivative_test_misused',)
    >>> classification_tags("neither", "local_max", False, False)
    ('stationary_assumed_extremum',)
    """
    if said == truth:
        return ()
    if {truth, said} == {"local_min", "local_max"}:
        return ("min_max_swapped",)
    if second_derivative_zero and stationary:
        return ("second_derivative_test_misused",)
    if truth == "neither":
        return ("stationary_assumed_extremum",)
    return ()
