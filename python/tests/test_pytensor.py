import numpy as np
import pytest

pytensor = pytest.importorskip("pytensor")
import pytensor.tensor as pt  # noqa: E402
from pytensor.compile.mode import get_default_mode  # noqa: E402
from pytensor.graph.fg import FunctionGraph  # noqa: E402

import saturate.pytensor  # noqa: E402,F401  (registers the rewriter)
from saturate.pytensor import stabilize_graph  # noqa: E402

import cases  # noqa: E402

MODE = get_default_mode().including("saturate")


def test_seed_gradient_compiled_with_the_rewriter_is_exactly_zero():
    x = pt.vector("x")
    g = pytensor.grad(pt.sum(pt.exp(x) / pt.sum(pt.exp(x))), x)
    at = np.array([1e-18, 1e18, -1e18])
    plain = pytensor.function([x], g)(at)
    assert plain[0] == 0 and np.isnan(plain[1]) and plain[2] == 0
    assert pytensor.function([x], g, mode=MODE)(at).tolist() == [0.0, 0.0, 0.0]


def test_the_rewriter_is_opt_in():
    x = pt.vector("x")
    g = pytensor.grad(pt.sum(pt.exp(x) / pt.sum(pt.exp(x))), x)
    assert np.isnan(pytensor.function([x], g)(np.array([1e-18, 1e18, -1e18]))[1])


def test_untranslatable_nodes_stay_and_are_reported():
    x = pt.vector("x")
    s = pt.cumsum(pt.exp(x) / pt.sum(pt.exp(x)))
    fgraph = FunctionGraph([x], [pt.log(pt.sum(pt.exp(s * 1000.0)))], clone=True)
    report = stabilize_graph(fgraph)
    assert "CumOp" in report["kept"]
    assert len(report["programs"]) == 2
    f = pytensor.function([x], pt.log(pt.sum(pt.exp(s * 1000.0))), mode=MODE)
    assert np.isfinite(f(np.array([1000.0, 0.0, -1000.0])))


def test_float32_graphs_are_optimized_for_float32():
    x = pt.vector("x", dtype="float32")
    fgraph = FunctionGraph([x], [pt.log(1 + pt.exp(x))], clone=True)
    report = stabilize_graph(fgraph)
    assert report["programs"][0]["precision"] == "float32"
    f = pytensor.function([x], pt.log(1 + pt.exp(x)), mode=MODE)
    assert np.isfinite(f(np.array([0, 100, -100], dtype=np.float32))).all()


@pytest.mark.parametrize("name", cases.NAMES)
def test_public_case_within_8_cond_bits(name):
    inputs, outputs = cases.pytensor_graphs()[name]
    f = pytensor.function(inputs, outputs, mode=MODE)
    truths = cases.truths(name)
    names = [var.name for var in inputs]
    output_names = list(truths["normal"])
    for set_name, values in cases.input_sets(name):
        results = f(*[values[key] for key in names])
        for output, result in zip(output_names, results):
            truth, sens, scored = truths[set_name][output]
            bits = cases.cond_bits(result, truth, sens)[scored]
            assert bits.max(initial=0) <= 8, f"{name} {set_name} {output}: {bits.max()} cond bits"
