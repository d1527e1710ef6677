"""The judge's twelve public cases, written by hand in JAX and PyTensor,
with their input sets and correctly rounded truths read from the
repository's Tests/Corpus (copies of the judge's files), and the judge's
verdict metric."""

import json
import math
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parents[2] / "Tests" / "Corpus"

NAMES = [
    "seed_softmax_grad", "softmax_div", "logsoftmax_sub", "lse_vec", "softmax2d_last", "softmax_grad_weighted",
    "logsoftmax_grad_weighted", "xent_vec_grad", "sigmoid_exp_ratio", "softplus_log", "softmax_value_and_grad",
    "lse2d_axis0",
]


def _number(value):
    return float(value) if isinstance(value, str) else value


def input_sets(name):
    """Each input set of case `name`: (set name, {input: float64 array})."""
    case = json.loads((CORPUS / f"{name}.json").read_text())
    for entry in case["input_sets"]:
        values = {
            key: np.array(json.loads(json.dumps(value), parse_float=float), dtype=np.float64)
            if not _has_strings(value) else np.vectorize(_number)(np.array(value, dtype=object)).astype(np.float64)
            for key, value in entry["values"].items()
        }
        yield entry["name"], values


def _has_strings(value):
    if isinstance(value, list):
        return any(_has_strings(item) for item in value)
    return isinstance(value, str)


def truths(name):
    """{set name: {output: (truth values, sensitivities, scored mask)}}."""
    case = json.loads((CORPUS / f"{name}.json").read_text())
    trusts_infinite = case.get("trust_infinite", False)
    document = json.loads((CORPUS / f"{name}.truth.json").read_text())
    result = {}
    for entry in document["sets"]:
        outputs = {}
        for output, data in entry["outputs"].items():
            values = np.array([_number(v) for v in data["values"]], dtype=np.float64).reshape(data["shape"])
            sens = np.array([_number(v) for v in data["sens"]], dtype=np.float64).reshape(data["shape"])
            scored = ~np.array(data["unresolved"], dtype=bool).reshape(data["shape"]) & ~np.isnan(values)
            if not trusts_infinite:
                scored &= np.isfinite(values)
            outputs[output] = (values, sens, scored)
        result[entry["name"]] = outputs
    return result


def cond_bits(computed, truth, sens):
    """The judge's cond bits of each element (64 for nan or inf where the
    truth is finite)."""
    computed = np.asarray(computed, dtype=np.float64)
    bits = np.zeros(truth.shape)
    for index in np.ndindex(truth.shape):
        c, t, s = computed[index], truth[index], sens[index]
        if not math.isfinite(t):
            bits[index] = 0 if c == t else 64
        elif not math.isfinite(c):
            bits[index] = 64
        else:
            unit = 2.0**-52 * max(abs(t), 1)
            bits[index] = min(64, math.log2(1 + abs(c - t) / max(unit, s if math.isfinite(s) else unit)))
    return bits


# The cases as people write them in JAX: exp(x)/sum(exp(x)), not jax.nn.softmax.


def jax_functions():
    import jax
    import jax.numpy as jnp

    def softmax(x, axis=-1):
        return jnp.exp(x) / jnp.sum(jnp.exp(x), axis=axis, keepdims=True)

    def logsoftmax(x):
        return x - jnp.log(jnp.sum(jnp.exp(x), axis=-1, keepdims=True))

    return {
        "seed_softmax_grad": (["x"], ["g"], lambda x: (jax.grad(lambda x: jnp.sum(softmax(x)))(x),)),
        "softmax_div": (["x"], ["s"], lambda x: (softmax(x),)),
        "logsoftmax_sub": (["x"], ["l"], lambda x: (logsoftmax(x),)),
        "lse_vec": (["x"], ["z"], lambda x: (jnp.log(jnp.sum(jnp.exp(x), axis=-1, keepdims=True)),)),
        "softmax2d_last": (["X"], ["s"], lambda X: (softmax(X),)),
        "softmax_grad_weighted": (
            ["x", "w"], ["g"], lambda x, w: (jax.grad(lambda x: jnp.sum(w * softmax(x)))(x),)),
        "logsoftmax_grad_weighted": (
            ["x", "w"], ["g"], lambda x, w: (jax.grad(lambda x: jnp.sum(w * logsoftmax(x)))(x),)),
        "xent_vec_grad": (
            ["x", "y"], ["g"], lambda x, y: (jax.grad(lambda x: -jnp.sum(y * jnp.log(softmax(x))))(x),)),
        "sigmoid_exp_ratio": (["x"], ["s"], lambda x: (jnp.exp(x) / (1 + jnp.exp(x)),)),
        "softplus_log": (["x"], ["p"], lambda x: (jnp.log(1 + jnp.exp(x)),)),
        "softmax_value_and_grad": (
            ["x", "w"], ["s", "g"],
            lambda x, w: (softmax(x), jax.grad(lambda x: jnp.sum(w * softmax(x)))(x))),
        "lse2d_axis0": (["X"], ["z"], lambda X: (jnp.log(jnp.sum(jnp.exp(X), axis=0, keepdims=True)),)),
    }


def pytensor_graphs():
    """{case: (input variables by name, output variables by name)}, built
    with pytensor.grad for the gradients."""
    import pytensor
    import pytensor.tensor as pt

    def softmax(x, axis=-1):
        return pt.exp(x) / pt.sum(pt.exp(x), axis=axis, keepdims=True)

    def logsoftmax(x):
        return x - pt.log(pt.sum(pt.exp(x), axis=-1, keepdims=True))

    graphs = {}
    x, w, y, X = pt.vector("x"), pt.vector("w"), pt.vector("y"), pt.matrix("X")
    graphs["seed_softmax_grad"] = ([x], [pytensor.grad(pt.sum(softmax(x)), x)])
    graphs["softmax_div"] = ([x], [softmax(x)])
    graphs["logsoftmax_sub"] = ([x], [logsoftmax(x)])
    graphs["lse_vec"] = ([x], [pt.log(pt.sum(pt.exp(x), axis=-1, keepdims=True))])
    graphs["softmax2d_last"] = ([X], [softmax(X)])
    graphs["softmax_grad_weighted"] = ([x, w], [pytensor.grad(pt.sum(w * softmax(x)), x)])
    graphs["logsoftmax_grad_weighted"] = ([x, w], [pytensor.grad(pt.sum(w * logsoftmax(x)), x)])
    graphs["xent_vec_grad"] = ([x, y], [pytensor.grad(-pt.sum(y * pt.log(softmax(x))), x)])
    graphs["sigmoid_exp_ratio"] = ([x], [pt.exp(x) / (1 + pt.exp(x))])
    graphs["softplus_log"] = ([x], [pt.log(1 + pt.exp(x))])
    graphs["softmax_value_and_grad"] = ([x, w], [softmax(x), pytensor.grad(pt.sum(w * softmax(x)), x)])
    graphs["lse2d_axis0"] = ([X], [pt.log(pt.sum(pt.exp(X), axis=0, keepdims=True))])
    return graphs
