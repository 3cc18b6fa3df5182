"""autograder checks on formulas and numbers: equivalent forms accepted, misconceptions tagged."""

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import autograder as ag

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
CUBIC = x**3 - x**2 - 5 * x  # f' = 3x^2 - 2x - 5 = (3x - 5)(x + 1)


# --- check_expression -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer", ["2(x+1)", "2x+2", "2*x + 2", "2 x + 2", "(x+1)*2", "x + x + 2", 2 * x + 2]
)
def test_expression_equivalent_forms(answer):
    feedback = ag.check_expression(answer, 2 * x + 2)
    assert feedback.correct and feedback.score == 1.0 and feedback.state == "correct"
    assert "read as" in feedback.message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("x^2", x**2),
        ("x**2", x**2),
        ("e^x", sp.exp(x)),
        ("exp(x)", sp.exp(x)),
        ("ln(x)", sp.log(x)),
        ("log(x)", sp.log(x)),
        ("sqrt(x)", sp.sqrt(x)),
        ("x^(1/2)", sp.sqrt(x)),
    ],
)
def test_expression_notations(answer, expected):
    assert ag.check_expression(answer, expected).correct


def test_expression_wrong_sign_is_tagged_without_revealing():
    feedback = ag.check_expression("-2x - 2", 2 * x + 2)
    assert not feedback.correct and feedback.tags == ("sign_error",)
    assert "2*x + 2" not in feedback.message.replace("-2*x - 2", "")


def test_expression_wrong_untagged():
    feedback = ag.check_expression("x + 1", 2 * x + 2)
    assert not feedback.correct and feedback.tags == () and feedback.state == "not_yet"
    assert feedback.interpreted == "x + 1"


def test_expression_several_variables():
    assert ag.check_expression("2xy + y^2", 2 * x * y + y**2).correct
    assert not ag.check_expression("2xy", 2 * x * y + y**2).correct


# --- check_number -----------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["5/3", "1.6667", 5 / 3, sp.Rational(5, 3), "10/6"])
def test_number_accepted(answer):
    assert ag.check_number(answer, sp.Rational(5, 3)).correct


@pytest.mark.parametrize("answer", ["1/e", "e^-1", "exp(-1)", "0.3679", sp.exp(-1)])
def test_number_one_over_e(answer):
    assert ag.check_number(answer, sp.exp(-1)).correct


def test_number_exact_always_accepted_even_with_tiny_tolerance():
    assert ag.check_number("sqrt(2)/2", 1 / sp.sqrt(2), rel_tol=1e-15).correct
    assert not ag.check_number("0.7071", 1 / sp.sqrt(2), rel_tol=1e-15).correct


def test_number_wrong_sign_and_close():
    assert ag.check_number("-5/3", sp.Rational(5, 3)).tags == ("sign_error",)
    close = ag.check_number("1.67", sp.Rational(5, 3))
    assert close.state == "almost" and not close.correct and close.score == 0.0
    assert ag.check_number("2", sp.Rational(5, 3)).state == "not_yet"


def test_number_refuses_expression_with_variable():
    assert ag.check_number("x", 1).state == "cannot_read"


# --- check_derivative: accepted forms ---------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "f"),
    [
        ("3x^2 - 2x - 5", CUBIC),
        ("3*x**2 - 2*x - 5", CUBIC),
        ("(3x - 5)(x + 1)", CUBIC),
        ("2x cos(x^2)", sp.sin(x**2)),
        ("x e^x (x + 2)", x**2 * sp.exp(x)),
        ("(x cos(x) - sin(x))/x^2", sp.sin(x) / x),
        ("sign(x)", sp.Abs(x)),
        ("x/|x|", sp.Abs(x)),
        ("|x|/x", sp.Abs(x)),
        ("(1 + sign(x))/2", sp.Max(x, 0)),
        ("3e^(3x)", sp.exp(3 * x)),
        ("1/x", sp.log(x)),
        ("1/(3 x^(2/3))", sp.cbrt(x)),
        ("0.5 x^(-0.5)", sp.sqrt(x)),
        ("-sin(x)", sp.cos(x)),
        ("2|x|", x * sp.Abs(x)),
    ],
)
def test_derivative_accepts_equivalent_forms(answer, f):
    feedback = ag.check_derivative(answer, f)
    assert feedback.correct, feedback.message


def test_derivative_rounded_decimals_within_tolerance():
    assert ag.check_derivative("3(x + 1)(x - 1.6667)", CUBIC).correct
    assert "rounding" in ag.check_derivative("3x^2 - 2x - 5.0001", CUBIC).message
    assert not ag.check_derivative("3(x + 1)(x - 1.67)", CUBIC).correct
    assert not ag.check_derivative("3x^2 - 2x - 5.05", CUBIC).correct


def test_derivative_second_order():
    assert ag.check_derivative("6x - 2", CUBIC, n=2).correct
    feedback = ag.check_derivative("3x^2 - 2x - 5", CUBIC, n=2)
    assert feedback.tags == ("not_differentiated",)


def test_derivative_sympy_answer_with_plain_symbol():
    plain = sp.Symbol("x")
    assert ag.check_derivative(3 * plain**2 - 2 * plain - 5, CUBIC).correct


def test_derivative_rejects_piecewise_that_differs_far_away():
    answer = sp.Piecewise((2 * x, x < 5), (0, True))
    assert not ag.check_derivative(answer, x**2).correct


# --- check_derivative: one test per misconception tag -----------------------------------------


@pytest.mark.parametrize(
    ("answer", "f", "tag"),
    [
        ("-3x^2 + 2x + 5", CUBIC, "sign_error"),
        ("sin(x)", sp.cos(x), "sign_error"),
        ("cos(x^2)", sp.sin(x**2), "missing_chain_factor"),
        ("e^(3x)", sp.exp(3 * x), "missing_chain_factor"),
        ("2x e^x", x**2 * sp.exp(x), "product_rule_as_product"),
        ("cos(x)", sp.sin(x) / x, "product_rule_as_product"),
        ("20x^4", 5 * x**4, "power_rule_error"),
        ("5x^3", 5 * x**4, "power_rule_error"),
        ("20x^5", 5 * x**4, "power_rule_error"),
        ("(sin(x) - x cos(x))/x^2", sp.sin(x) / x, "quotient_rule_order"),
        ("x^5", 5 * x**4, "integrated_instead"),
        ("x ln(x) - x", sp.log(x), "integrated_instead"),
        ("x^3 - x^2 - 5x", CUBIC, "not_differentiated"),
        ("4x^3", 5 * x**4, "constant_factor_dropped"),
    ],
)
def test_derivative_misconception_tags(answer, f, tag):
    feedback = ag.check_derivative(answer, f)
    assert not feedback.correct and feedback.state == "not_yet"
    assert feedback.tags == (tag,)
    assert ag.MESSAGES[tag] in feedback.message
    assert str(sp.sstr(ag.checks_expressions.derivative_reference(f, None, 1).expected)) not in (
        feedback.message.replace(feedback.interpreted or "", "")
    )


def test_derivative_wrong_without_known_mistake_gets_generic_message():
    feedback = ag.check_derivative("sin(2x)", sp.sin(x**2))
    assert feedback.tags == () and "derivative" in feedback.message


# --- gradients and Hessians -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [["2x", "2y"], "[2x, 2y]", (2 * x, 2 * y), sp.Matrix([2 * x, 2 * y]), "2x, 2y"],
)
def test_gradient_forms(answer):
    assert ag.check_gradient(answer, x**2 + y**2, [x, y]).correct


def test_gradient_partial_credit_and_tags():
    feedback = ag.check_gradient(["2x", "y"], x**2 + y**2, [x, y])
    assert feedback.state == "almost" and feedback.score == 0.5
    assert feedback.tags == ("power_rule_error",)
    assert ag.check_gradient(["2x"], x**2 + y**2, ["x", "y"]).state == "not_yet"


@pytest.mark.parametrize(
    "answer", [[[2, 0], [0, 2]], "[[2, 0], [0, 2]]", sp.Matrix([[2, 0], [0, 2]])]
)
def test_hessian_forms(answer):
    assert ag.check_hessian(answer, x**2 + y**2, [x, y]).correct


def test_hessian_partial_credit():
    feedback = ag.check_hessian([["2y", "2x"], ["2x", "2"]], x**2 * y + 3 * x, ["x", "y"])
    assert feedback.state == "almost" and feedback.score == 0.75
    assert ag.check_hessian([[2, 0]], x**2 + y**2, [x, y]).state == "not_yet"


# --- property: any expanded/factored form of a polynomial derivative is accepted --------------


@given(st.lists(st.integers(-4, 4), min_size=1, max_size=3), st.integers(-3, 3))
def test_derivative_of_product_of_linear_factors(roots, scale):
    scale = scale or 1
    f = scale * sp.Mul(*[(x - r) for r in roots]) * x
    derivative = sp.diff(f, x)
    assert ag.check_derivative(str(sp.expand(derivative)), f).correct
    assert ag.check_derivative(str(sp.factor(derivative)).replace("**", "^"), f).correct
    assert not ag.check_derivative(str(sp.expand(derivative) + 1), f).correct
