"""autograder cannot be fooled or broken: hostile text, fake objects, placeholders, logging."""

import ast
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from work_budget import work_budget

import autograder as ag
from autograder import checks_core

x = sp.Symbol("x", real=True)
F = x**2  # f' = 2x

CHECKS = {
    "expression": lambda a: ag.check_expression(a, 2 * x),
    "number": lambda a: ag.check_number(a, 2),
    "derivative": lambda a: ag.check_derivative(a, F),
    "critical_points": lambda a: ag.check_critical_points(a, F),
    "inflection_points": lambda a: ag.check_inflection_points(a, x**3),
    "classification": lambda a: ag.check_classification(a, F),
    "intervals": lambda a: ag.check_intervals(a, F, "increasing"),
    "differentiability": lambda a: ag.check_differentiability(a, sp.Abs(x), 0),
    "convexity": lambda a: ag.check_convexity(a, F),
    "subdifferential": lambda a: ag.check_subdifferential(a, sp.Abs(x), 0),
    "gradient": lambda a: ag.check_gradient(a, F, [x]),
    "hessian": lambda a: ag.check_hessian(a, F, [x]),
}


# --- hostile text -----------------------------------------------------------------------------

PWNED = "/tmp/autograder_pwned_by_test"
HOSTILE = [
    f"__import__('os').system('touch {PWNED}')",
    f"eval(\"__import__('os').system('touch {PWNED}')\")",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "__builtins__",
    "lambda: 0",
    "9**9**9",
    "9^9^9^9",
    "10^1000000",
    "x" * 100_000,
    "(" * 5000 + "x" + ")" * 5000,
    "[" * 400 + "]" * 400,
    "|" * 300,
    "1/0",
    "x; import os",
    "\x00\x01\x02",
    "🙂",
    "{-1, ",
    "(-oo, 3",
]


# Function calls one check of a hostile string may make: the costliest takes about 30,000 (first
# call in a process); a check that does real work on such text takes millions. Their timings
# are printed by bench/bench_checks.py (its corpus has hostile text).
HOSTILE_CALLS = 1_000_000


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_hostile_strings_get_feedback_fast_and_run_nothing(name, monkeypatch):
    import os

    # the work budget, not the clock, decides here: a check's own time limit stays out of it
    monkeypatch.setattr(checks_core, "CHECK_SECONDS", 3600.0)
    for text in HOSTILE:
        with work_budget(HOSTILE_CALLS):
            feedback = CHECKS[name](text)
        assert isinstance(feedback, ag.Feedback)
        assert not feedback.correct and feedback.score == 0.0
        assert feedback.state in ("cannot_read", "not_yet", "almost"), (name, text[:40])
    assert not os.path.exists(PWNED)


def test_slow_sympy_answer_is_cut_off():
    """The check's time limit interrupts SymPy and says so (the limit's length is not tested:
    bench/bench_checks.py prints how long the cut-off takes)."""
    k = sp.Symbol("k", integer=True, positive=True)
    slow = sp.Sum(x / k**2, (k, 1, 10**8))
    feedback = ag.check_derivative(slow, F)
    assert feedback.state == "cannot_read" and "took too long" in feedback.message


def test_huge_sympy_power_is_answered():
    feedback = ag.check_derivative(sp.Pow(x, 10**6, evaluate=False), F)
    assert feedback.state == "not_yet"
    assert ag.check_number(sp.Integer(10) ** 5000, 2).state == "cannot_read"
    assert ag.check_number(10**10000, 2).state == "cannot_read"


# --- fake objects -----------------------------------------------------------------------------


class EqualsEverything:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SubtractsToZero:
    def __sub__(self, other):
        return 0

    def __rsub__(self, other):
        return 0

    def __abs__(self):
        return 0

    def __float__(self):
        return 2.0


class LyingInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class LyingStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class LyingFloat(float):
    def __sub__(self, other):
        return 0.0


class LyingList(list):
    pass


class LyingDict(dict):
    pass


class LyingSymbol(sp.Symbol):
    def __eq__(self, other):
        return True

    __hash__ = sp.Symbol.__hash__


class HomeMadeExpr(sp.Expr):
    pass


class SpoofsClass:
    @property
    def __class__(self):
        return sp.Integer


FAKES = [
    EqualsEverything(),
    SubtractsToZero(),
    LyingInt(2),
    LyingStr("2x"),
    LyingFloat(2.0),
    LyingList(["2x"]),
    LyingDict({0: "local_min"}),
    LyingSymbol("x"),
    2 * x + LyingSymbol("y"),
    HomeMadeExpr(),
    SpoofsClass(),
    [EqualsEverything()],
    {0: EqualsEverything()},
    sp.Function("g")(x),
    object(),
    print,
    lambda: 2 * x,
    np.array([EqualsEverything()], dtype=object),
]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_fake_objects_refused(name):
    for fake in FAKES:
        feedback = CHECKS[name](fake)
        assert not feedback.correct and feedback.score == 0.0, (name, type(fake))
        assert feedback.state == "cannot_read", (name, type(fake), feedback.message)


def test_refusal_message_is_clear():
    feedback = ag.check_derivative(EqualsEverything(), F)
    assert "not a value I can check" in feedback.message
    assert feedback.tags == ()


def test_plain_values_of_every_kind_are_read():
    assert ag.check_number(np.float64(2.0), 2).correct
    assert ag.check_number(np.int32(2), 2).correct
    assert ag.check_number(Fraction(4, 2), 2).correct
    assert ag.check_critical_points(np.array([0.0]), F).correct
    assert ag.check_gradient(np.array(["2x"]), F, [x]).correct


def test_deep_and_large_containers_refused():
    deep: list = [0]
    for _ in range(50):
        deep = [deep]
    assert ag.check_critical_points(deep, F).state == "cannot_read"
    assert ag.check_critical_points(list(range(100_000)), F).state == "cannot_read"


# --- not attempted ----------------------------------------------------------------------------


def _stub():
    raise NotImplementedError()


PLACEHOLDERS = [
    None,
    ...,
    "",
    "   ",
    NotImplemented,
    NotImplementedError,
    NotImplementedError(),
    ag.attempt(_stub),
    ag.attempt(lambda: undefined_name),  # noqa: F821
    [None, None],
    {0: None},
]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_placeholders_read_as_not_attempted(name):
    for placeholder in PLACEHOLDERS:
        feedback = CHECKS[name](placeholder)
        assert feedback.state == "not_attempted", (name, placeholder)
        assert feedback.message.startswith("Not attempted yet")
        assert feedback.tags == () and feedback.score == 0.0


def test_attempt_and_answer_of():
    assert ag.attempt(lambda: 2 * x) == 2 * x
    assert ag.answer_of(lambda: "2x") == "2x"
    assert ag.answer_of("2x") == "2x"
    assert ag.check_derivative(ag.answer_of(_stub), F).state == "not_attempted"
    failed = ag.check_derivative(ag.attempt(lambda: 1 / 0), F)
    assert failed.state == "cannot_read" and "ZeroDivisionError" in failed.message


def test_partly_filled_container_is_unreadable_not_unattempted():
    feedback = ag.check_critical_points([0, None], F)
    assert feedback.state == "cannot_read" and "placeholder" in feedback.message


# --- nothing on stderr (nbgrader gives 0 to a cell writing to stderr) -------------------------


def test_checks_write_nothing_to_stderr(capfd):
    ag.check_derivative("1/(x-x)", F)
    ag.check_derivative("exp(exp(exp(x)))", F)
    ag.check_derivative("log(-x^2 - 1)", F)
    ag.check_expression("x^1000", x**1000)
    assert capfd.readouterr().err == ""


# --- class analytics log ----------------------------------------------------------------------


def test_log_lines_written(tmp_path, monkeypatch):
    path = tmp_path / "checks.jsonl"
    monkeypatch.setenv("AUTOGRADER_LOG", str(path))
    ag.check_derivative("2x", F, question="q1")
    ag.check_derivative("x^2", F, question="q1")
    ag.check_critical_points("[]", sp.Abs(x), question="q2")
    ag.check_number(None, 1)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["question"] for line in lines] == ["q1", "q1", "q2", None]
    assert [line["check"] for line in lines] == [
        "check_derivative",
        "check_derivative",
        "check_critical_points",
        "check_number",
    ]
    assert lines[0]["correct"] is True and lines[0]["score"] == 1.0 and lines[0]["tags"] == []
    assert lines[1]["tags"] == ["not_differentiated"]
    assert lines[2]["tags"] == ["missing_nondifferentiable_point"]
    assert lines[3]["state"] == "not_attempted"


def test_unwritable_log_never_fails_a_check(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_LOG", str(tmp_path / "missing-dir" / "log.jsonl"))
    assert ag.check_derivative("2x", F).correct
    monkeypatch.setenv("AUTOGRADER_LOG", str(tmp_path))  # a directory
    assert ag.check_derivative("2x", F).correct


def test_no_log_without_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    ag.check_derivative("2x", F)
    assert list(tmp_path.iterdir()) == []


# --- tags and messages ------------------------------------------------------------------------


def test_tag_vocabulary_is_exact():
    assert set(ag.TAGS) == {
        "sign_error",
        "missing_chain_factor",
        "product_rule_as_product",
        "power_rule_error",
        "quotient_rule_order",
        "integrated_instead",
        "not_differentiated",
        "constant_factor_dropped",
        "missing_point",
        "extra_point",
        "missing_nondifferentiable_point",
        "outside_domain",
        "min_max_swapped",
        "second_derivative_test_misused",
        "stationary_assumed_extremum",
        "inflection_without_sign_change",
        "missing_inflection",
        "increasing_decreasing_swapped",
        "concavity_swapped",
        "continuous_not_differentiable",
        "gradient_components_swapped",
        "newton_root_step",
        # limits and continuity (lesson 2)
        "limit_needs_value",
        "indeterminate_evaluated",
        "limit_is_value",
        "one_side_only",
        "averaged_sides",
        "hole_called_jump",
        "jump_called_hole",
        "continuity_needs_three",
    }
    assert all(len(message) > 40 for message in ag.MESSAGES.values())


REPO = Path(__file__).resolve().parents[1]
# the calls whose tuple or list arguments are misconception tags
_TAGGING_CALLS = {"not_yet", "almost", "Feedback", "Verdict", "explain", "_explain"}


def _tag_literals(path: Path) -> list[tuple[int, str]]:
    """(line, tag) for every tag written literally in `path`: inside a tuple or list argument of
    a tagging call, in a `mistakes=` argument (pairs, or the values of a dict) or in a tuple
    assigned to `tags`."""
    found: list[tuple[int, str]] = []

    def strings(node) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                found.append((child.lineno, child.value))

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name in _TAGGING_CALLS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Tuple | ast.List):
                        strings(arg)
            for keyword in node.keywords:
                if keyword.arg == "mistakes":
                    value = keyword.value
                    if isinstance(value, ast.Dict):
                        for item in value.values:
                            strings(item)
                    elif isinstance(value, ast.Tuple | ast.List):
                        strings(value)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
            if any(getattr(target, "id", None) == "tags" for target in node.targets):
                strings(node.value)
    return found


def test_every_tag_written_in_a_check_or_exercise_is_in_the_registry():
    """One registry: autograder.misconceptions.MESSAGES defines every tag (and its message)
    that the autograder's checks and the course's exercises (course/exercises/) report."""
    files = sorted([*(REPO / "autograder").glob("*.py"), *(REPO / "course/exercises").glob("*.py")])
    written = {(path.relative_to(REPO).as_posix(), line, tag)
               for path in files for line, tag in _tag_literals(path)}
    assert any(where.startswith("course/exercises/") for where, _, _ in written)
    assert {"hole_called_jump", "sign_error", "gradient_components_swapped"} <= {
        tag for _, _, tag in written}
    undefined = sorted(item for item in written if item[2] not in ag.MESSAGES)
    assert undefined == []


def test_every_exercise_declares_only_registered_mistakes():
    """The misconceptions each self-check of course/exercises/ is built to recognise."""
    import functools
    import importlib
    import sys

    if str(REPO / "course") not in sys.path:
        sys.path.insert(0, str(REPO / "course"))
    tags = set()
    for path in sorted((REPO / "course/exercises").glob("lesson*.py")):
        module = importlib.import_module(f"exercises.{path.stem}")
        for exercise in vars(module).values():
            check = getattr(exercise, "_check", None)
            if isinstance(exercise, ag.Exercise) and isinstance(check, functools.partial):
                mistakes = check.keywords.get("mistakes") or ()
                if isinstance(mistakes, dict):  # check_kind: wrong kind -> tag
                    tags |= set(mistakes.values())
                else:  # check_limit: (wrong value, tag); the autograder's: (tag, wrong value)
                    at = 1 if check.func.__name__ == "check_limit" else 0
                    tags |= {pair[at] for pair in mistakes}
    assert {"limit_needs_value", "hole_called_jump", "one_side_only"} <= tags
    assert tags <= set(ag.TAGS)


def test_unknown_tags_are_refused_where_feedback_is_made():
    from autograder.feedback import Feedback, not_yet

    with pytest.raises(ValueError, match="unknown misconception"):
        not_yet("a message", ("limit_needs_values",))
    with pytest.raises(ValueError, match="unknown misconception"):
        Feedback(False, 0.0, "a message", ("no_such_tag",))
    assert not_yet("a message", ("limit_needs_value",)).tags == ("limit_needs_value",)
