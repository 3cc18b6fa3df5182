"""autograder checks on properties: how differentiability fails, and convexity."""

import pytest
import sympy as sp

import autograder as ag

x = sp.Symbol("x", real=True)


@pytest.mark.parametrize(
    ("f", "a", "answers"),
    [
        (sp.Abs(x), 0, ["corner", "Corner", "kink", " CORNER "]),
        (sp.cbrt(x), 0, ["vertical_tangent", "vertical tangent", "Vertical-Tangent"]),
        (x ** sp.Rational(2, 3), 0, ["cusp", "Cusp"]),
        (sp.sign(x), 0, ["discontinuity", "jump", "discontinuous"]),
        (x**2, 1, ["differentiable", "Differentiable"]),
    ],
)
def test_differentiability_kinds_and_variants(f, a, answers):
    for answer in answers:
        assert ag.check_differentiability(answer, f, a).correct, answer


def test_continuous_not_differentiable():
    for f in (sp.Abs(x), sp.cbrt(x), x ** sp.Rational(2, 3)):
        feedback = ag.check_differentiability("differentiable", f, 0)
        assert feedback.tags == ("continuous_not_differentiable",)
    other = ag.check_differentiability("cusp", sp.Abs(x), 0)
    assert other.state == "not_yet" and other.tags == ()


def test_differentiability_vague_answer_cannot_read():
    feedback = ag.check_differentiability("not differentiable", sp.Abs(x), 0)
    assert feedback.state == "cannot_read" and "corner" in feedback.message


@pytest.mark.parametrize("answer", [True, "yes", "convex", "Yes", "TRUE", sp.true])
def test_convex_yes(answer):
    assert ag.check_convexity(answer, sp.Abs(x)).correct
    assert ag.check_convexity(answer, sp.Max(x, 0)).correct


@pytest.mark.parametrize("answer", [False, "no", "not convex", "non-convex", "nonconvex"])
def test_convex_no(answer):
    assert ag.check_convexity(answer, -sp.Abs(x)).correct
    assert not ag.check_convexity(answer, x**2).correct


def test_convexity_with_domain_and_unreadable():
    assert ag.check_convexity(True, x**3, domain=sp.Interval(0, 5)).correct
    assert ag.check_convexity("maybe", x**2).state == "cannot_read"
    assert ag.check_convexity(1, x**2).state == "cannot_read"
