"""Runs INSIDE a student's kernel after a graded test cell: the answer's value, as plain data.

This file is not imported by the grader. Its source text is sent to the kernel as one cell
(see :func:`autograder.judging.extraction.extraction_source`), so it depends on nothing but
the standard library and the objects it is given. It prints one line::

    DFML-ANSWER:{"answer": <data>}

where ``<data>`` is the value of one variable encoded as JSON of plain types (see
:mod:`autograder.judging.answer_data` for the format and its decoder).

Nothing here is trusted. A student can change what this prints (patch ``json``, the display
machinery, ``print``); whatever comes out is decoded as data and judged outside the kernel,
so forging it is no more than typing that answer.
"""

_DFML_MARK = "DFML-ANSWER:"
_DFML_MAX_NODES = 20000
_DFML_MAX_INT_BITS = 3400


def _dfml_encode(value, budget):
    budget[0] += 1
    if budget[0] > _DFML_MAX_NODES:
        raise OverflowError("too large")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        if value.bit_length() > _DFML_MAX_INT_BITS:
            raise OverflowError("too large")
        return value
    if kind is float:
        if value != value:
            return {"$float": "nan"}
        if value in (float("inf"), float("-inf")):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if kind is list:
        return [_dfml_encode(item, budget) for item in value]
    if kind is tuple:
        return {"$tuple": [_dfml_encode(item, budget) for item in value]}
    if kind is set or kind is frozenset:
        return {"$set": [_dfml_encode(item, budget) for item in value]}
    if kind is dict:
        return {"$dict": [[_dfml_encode(k, budget), _dfml_encode(v, budget)]
                          for k, v in value.items()]}
    if value is Ellipsis:
        return {"$ellipsis": 1}
    if value is NotImplemented:
        return {"$notimplemented": 1}
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__name__", "object")
    if module == "fractions" and name == "Fraction":
        return {"$fraction": [_dfml_encode(int(value.numerator), budget),
                              _dfml_encode(int(value.denominator), budget)]}
    if module == "numpy" or module.startswith("numpy."):
        if name == "ndarray":
            return {"$ndarray": _dfml_encode(value.tolist(), budget)}
        item = getattr(value, "item", None)
        if item is not None:
            return _dfml_encode(item(), budget)
    if module.startswith("sympy."):
        return _dfml_sympy(value, name, budget)
    return {"$unreadable": name}


def _dfml_sympy(value, name, budget):
    if getattr(value, "is_Matrix", False) is True:
        rows = [[_dfml_encode(entry, budget) for entry in row] for row in value.tolist()]
        return {"$matrix": rows}
    if getattr(value, "is_Integer", False) is True:
        return {"$sympy": "Integer", "p": _dfml_encode(int(value), budget)}
    if getattr(value, "is_Rational", False) is True:
        return {"$sympy": "Rational", "p": _dfml_encode(int(value.p), budget),
                "q": _dfml_encode(int(value.q), budget)}
    if getattr(value, "is_Float", False) is True:
        sign, man, exp, bc = value._mpf_
        return {"$sympy": "Float", "mpf": [int(sign), _dfml_encode(int(man), budget),
                                           _dfml_encode(int(exp), budget), int(bc)],
                "prec": int(value._prec)}
    if getattr(value, "is_Symbol", False) is True:
        facts = {k: v for k, v in value.assumptions0.items() if type(v) is bool}
        return {"$sympy": "Symbol", "name": str(value.name), "assumptions": facts}
    args = getattr(value, "args", None)
    if type(args) is not tuple:
        return {"$unreadable": name}
    return {"$sympy": name, "args": [_dfml_encode(arg, budget) for arg in args]}


def _dfml_extract(namespace, variable):
    import json

    if variable in namespace:
        try:
            answer = _dfml_encode(namespace[variable], [0])
        except (OverflowError, RecursionError):
            answer = {"$unreadable": "too large"}
        except Exception as error:  # noqa: BLE001 - an odd object is reported, not fatal
            answer = {"$unreadable": type(error).__name__}
    else:
        answer = {"$missing": 1}
    print(_DFML_MARK + json.dumps({"answer": answer}, allow_nan=False))
