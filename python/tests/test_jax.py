import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

from saturate.jax import stabilize  # noqa: E402

import cases  # noqa: E402


def seed(x):
    return jnp.sum(jnp.exp(x) / jnp.sum(jnp.exp(x)))


def test_seed_gradient_is_exactly_zero_in_float64():
    x = jnp.array([1e-18, 1e18, -1e18], dtype=jnp.float64)
    assert np.isnan(np.asarray(jax.grad(seed)(x))).all()
    assert np.asarray(stabilize(jax.grad(seed))(x)).tolist() == [0.0, 0.0, 0.0]


def test_seed_gradient_is_finite_in_float32():
    x = jnp.array([0, 100, -100], dtype=jnp.float32)
    assert not np.isfinite(np.asarray(jax.grad(seed)(x))).all()
    stable = stabilize(jax.grad(seed))
    result = np.asarray(stable(x))
    assert result.dtype == np.float32
    assert np.isfinite(result).all()
    assert stable.report(x).regions[0]["precision"] == "float32"


def test_the_stable_function_works_under_jit_grad_and_vmap():
    softmax = stabilize(lambda x: jnp.exp(x) / jnp.sum(jnp.exp(x), axis=-1, keepdims=True))
    x = jnp.array([1000.0, 0.0, -1000.0])
    expected = np.array([1.0, 0.0, 0.0])
    np.testing.assert_array_equal(np.asarray(jax.jit(softmax)(x)), expected)
    np.testing.assert_array_equal(np.asarray(jax.vmap(softmax)(jnp.stack([x, x]))), [expected, expected])
    gradient = np.asarray(jax.grad(lambda x: softmax(x)[0])(x))
    assert np.isfinite(gradient).all()


def test_untranslatable_primitives_are_kept_and_reported():
    def f(x):
        # cumsum has no expression in the language: the softmax on each side of it is optimized.
        s = jnp.cumsum(jnp.exp(x) / jnp.sum(jnp.exp(x)))
        return jnp.log(jnp.sum(jnp.exp(s * 1000.0)))

    stable = stabilize(f)
    x = jnp.array([1000.0, 0.0, -1000.0])
    assert np.isfinite(np.asarray(stable(x)))
    report = stable.report(x)
    assert report.kept["cumsum"] == 1
    assert len(report.regions) == 2
    assert "cumsum" in str(report)


def test_dot_general_contractions_are_translated():
    def f(A, b):
        return jnp.log(jnp.sum(jnp.exp(A @ b)))

    stable = stabilize(f)
    A, b = jnp.array([[1.0, 2.0], [3.0, 4.0]]), jnp.array([400.0, 100.0])
    assert np.isfinite(np.asarray(stable(A, b)))
    assert not stable.report(A, b).kept


def stabilized_results(name, dtype=None):
    """Each (input set, output, result, truth entry) of public case `name`
    computed through `stabilize`, its inputs cast to `dtype` if given."""
    inputs, outputs, function = cases.jax_functions()[name]
    stable = stabilize(function)
    truths = cases.truths(name)
    for set_name, values in cases.input_sets(name):
        results = stable(*[jnp.asarray(values[key], dtype=dtype) for key in inputs])
        for output, result in zip(outputs, results):
            yield set_name, output, result, truths[set_name][output]


@pytest.mark.parametrize("name", cases.NAMES)
def test_public_case_within_8_cond_bits(name):
    for set_name, output, result, (truth, sens, scored) in stabilized_results(name):
        bits = cases.cond_bits(np.asarray(result), truth, sens)[scored]
        assert bits.max(initial=0) <= 8, f"{name} {set_name} {output}: {bits.max()} cond bits"


@pytest.mark.parametrize("name", cases.NAMES)
def test_public_case_in_float32_has_no_overflow(name):
    for set_name, output, result, (truth, _, scored) in stabilized_results(name, jnp.float32):
        with np.errstate(over="ignore"):
            finite = np.isfinite(truth.astype(np.float32)) & scored
        result = np.asarray(result)
        assert result.dtype == np.float32
        assert np.isfinite(result[finite]).all(), f"{name} {set_name} {output}: {result}"
