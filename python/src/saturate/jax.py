"""Stable JAX functions: `stabilize(f)` traces `f`, sends what saturate's
language can express to the optimizer, and computes its stable forms with
`jax.numpy`.

The function is traced with `jax.make_jaxpr` at the shapes and dtypes of the
arguments of each call (once per shape, then cached), nested `jit` and
`custom_jvp_call` bodies inlined. Each equation the language expresses
becomes part of an expression; any other stays as it is, and its results
become inputs of the programs around it (`Report.kept` lists them). The
result is an ordinary JAX function: `jit`, `grad` and `vmap` apply to it.
"""

import functools
from collections import Counter

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend import core as jcore

from ._program import Builder, Evaluator, Untranslatable, program_text
from ._server import default_server

__all__ = ["stabilize", "Report"]

_FLOATS = (np.dtype("float32"), np.dtype("float64"))
_BOOL = np.dtype("bool")

_UNARY = {
    "neg": "neg", "exp": "exp", "log": "log", "log1p": "log1p", "expm1": "expm1", "sqrt": "sqrt",
    "abs": "abs", "tanh": "tanh", "logistic": "sigmoid",
}
_BINARY = {
    "add": "+", "add_any": "+", "sub": "-", "mul": "*", "div": "/", "pow": "pow", "max": "maximum",
    "min": "minimum", "eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge",
}
_IDENTITY = {"copy", "copy_p", "convert_element_type", "reduce_precision", "optimization_barrier"}
# Calls whose body is inlined: its values join the expressions around it.
_CALLS = {"jit": "jaxpr", "pjit": "jaxpr", "closed_call": "call_jaxpr", "core_call": "call_jaxpr",
          "custom_jvp_call": "call_jaxpr", "custom_vjp_call": "call_jaxpr", "remat": "jaxpr", "checkpoint": "jaxpr"}


class Report:
    """What `stabilize` did for one shape of arguments: each program sent to
    the optimizer as written and as returned, its warnings, and the
    primitives kept in JAX."""

    def __init__(self, regions, kept):
        #: One dict per program: "precision", "program", "optimized",
        #: "warnings", "kept_input", "report".
        self.regions = regions
        #: How many equations of each primitive stayed in JAX.
        self.kept = kept

    @property
    def warnings(self):
        return [warning for region in self.regions for warning in region["warnings"]]

    def __str__(self):
        lines = []
        for index, region in enumerate(self.regions):
            lines.append(f"program {index} ({region['precision']}):")
            lines += ["  " + line for line in region["program"].splitlines()]
            lines.append("stable form:")
            lines += ["  " + line for line in region["optimized"].splitlines()]
            lines += ["warning: " + warning for warning in region["warnings"]]
        kept = ", ".join(f"{name} x{count}" for name, count in sorted(self.kept.items()))
        lines.append("kept in JAX: " + (kept or "nothing"))
        return "\n".join(lines)


def stabilize(f, *, precision=None, server=None):
    """`f` computed through the numerically stable forms of its expressions.

    `f` takes and returns pytrees of arrays. It is traced at the shapes and
    dtypes of each call's arguments; `precision` ("float32" or "float64")
    overrides the format the optimizer assumes, by default float32 when a
    program reads or computes float32 values. `server` is a
    `saturate.Server` (by default one shared process). The returned function
    has `.report(*args)`, the `Report` for those arguments' shapes.
    """
    plans = {}

    def plan_for(args):
        flat, tree = jax.tree_util.tree_flatten(args)
        specs = [jax.ShapeDtypeStruct(jnp.shape(leaf), jnp.result_type(leaf)) for leaf in flat]
        key = (tree, tuple((spec.shape, spec.dtype) for spec in specs))
        plan = plans.get(key)
        if plan is None:
            closed, shapes = jax.make_jaxpr(f, return_shape=True)(*jax.tree_util.tree_unflatten(tree, specs))
            plan = _Plan(closed, jax.tree_util.tree_structure(shapes), precision, server or default_server())
            plans[key] = plan
        return plan, flat

    @functools.wraps(f)
    def stabilized(*args):
        plan, flat = plan_for(args)
        return jax.tree_util.tree_unflatten(plan.out_tree, plan.run(flat))

    stabilized.report = lambda *args: plan_for(args)[0].report
    return stabilized


class _Step:
    """An equation kept in JAX: run with its inputs once they exist."""

    def __init__(self, eqn, inputs, index, stage):
        self.eqn = eqn
        self.inputs = inputs  # Values, or Literals passed as they are
        self.index = index
        self.stage = stage


class _Plan:
    """A traced function split into programs and kept equations, the
    programs optimized, ready to run."""

    def __init__(self, closed, out_tree, precision, server):
        self.out_tree = out_tree
        self.builder = Builder()
        self.consts = {}
        self.steps = []
        self.outputs = self._inline(closed, None)
        self._plan_regions(precision, server)

    # Translation.

    def _inline(self, closed, inputs):
        """The values of `closed`'s outputs, its inputs bound to `inputs`
        (the function's arguments when None)."""
        jaxpr = closed.jaxpr
        env = {}
        for var, const in zip(jaxpr.constvars, closed.consts):
            key = ("const", len(self.consts))
            self.consts[key] = const
            env[var] = self.builder.leaf(key, var.aval.shape, var.aval.dtype)
        for index, var in enumerate(jaxpr.invars):
            if inputs is None:
                env[var] = self.builder.leaf(("arg", index), var.aval.shape, var.aval.dtype)
            else:
                env[var] = inputs[index]
        for eqn in jaxpr.eqns:
            values = [self._read(env, atom) for atom in eqn.invars]
            name = eqn.primitive.name
            body = eqn.params.get(_CALLS.get(name, ""))
            if body is not None and not eqn.params.get("num_consts"):
                if not isinstance(body, jcore.ClosedJaxpr):
                    body = jcore.ClosedJaxpr(body, ())
                outputs = self._inline(body, values)
            else:
                try:
                    outputs = self._translate(eqn, values)
                except Untranslatable:
                    outputs = self._keep(eqn, values)
            for var, value in zip(eqn.outvars, outputs):
                env[var] = value
        return [self._read(env, atom) for atom in jaxpr.outvars]

    def _read(self, env, atom):
        if isinstance(atom, jcore.Literal):
            value = np.asarray(atom.val)
            if value.shape == ():
                return self.builder.constant(float(value), atom.aval.dtype)
            key = ("const", len(self.consts))
            self.consts[key] = atom.val
            return self.builder.leaf(key, value.shape, value.dtype)
        return env[atom]

    def _keep(self, eqn, values):
        stage = 1 + max((value.node.stage for value in values), default=0)
        step = _Step(eqn, values, len(self.steps), stage)
        self.steps.append(step)
        return [
            self.builder.leaf(("kept", step.index, j), var.aval.shape, var.aval.dtype, stage)
            for j, var in enumerate(eqn.outvars)
        ]

    def _translate(self, eqn, values):
        name = eqn.primitive.name
        params = eqn.params
        for var in eqn.outvars:
            if var.aval.dtype not in _FLOATS + (_BOOL,):
                raise Untranslatable(f"{var.aval.dtype} values")
        for value in values:
            if value.dtype not in _FLOATS + (_BOOL,) and value.node.op != "const":
                raise Untranslatable(f"{value.dtype} values")
        out = eqn.outvars[0].aval
        shape, dtype = out.shape, out.dtype
        b = self.builder
        if name in _UNARY:
            return [b.apply(_UNARY[name], values, shape, dtype)]
        if name in _BINARY:
            return [b.apply(_BINARY[name], values, shape, dtype)]
        if name in _IDENTITY:
            if name == "convert_element_type" and dtype == _BOOL and values[0].dtype != _BOOL:
                return [b.apply("ne", [values[0], b.constant(0, dtype)], shape, dtype)]
            return [_retyped(values[0], dtype)]
        if name == "integer_pow":
            power = params["y"]
            (x,) = values
            if power == 2:
                return [b.apply("*", [x, x], shape, dtype)]
            if power == -1:
                return [b.apply("/", [b.constant(1, dtype), x], shape, dtype)]
            return [b.apply("pow", [x, b.constant(power, dtype)], shape, dtype)]
        if name == "square":
            return [b.apply("*", [values[0], values[0]], shape, dtype)]
        if name == "rsqrt":
            return [b.apply("/", [b.constant(1, dtype), b.apply("sqrt", values, shape, dtype)], shape, dtype)]
        if name == "select_n":
            if len(values) != 3:
                raise Untranslatable("select_n of more than two cases")
            return [b.where(values[0], values[2], values[1], shape, dtype)]
        if name in ("reduce_sum", "reduce_max"):
            return [b.reduce(name[len("reduce_"):], values[0], params["axes"], shape)]
        if name == "reduce_min":
            negated = b.apply("neg", values, values[0].shape, dtype)
            return [b.apply("neg", [b.reduce("max", negated, params["axes"], shape)], shape, dtype)]
        if name == "broadcast_in_dim":
            return [b.remap(values[0], params["broadcast_dimensions"], shape)]
        if name == "reshape":
            if params.get("dimensions") is not None:
                raise Untranslatable("a reshape with a transposition")
            return [b.reshape(values[0], shape)]
        if name == "squeeze":
            return [b.squeeze(values[0], params["dimensions"], shape)]
        if name == "dot_general":
            return [self._contract(eqn, values, shape, dtype)]
        raise Untranslatable(name)

    def _contract(self, eqn, values, shape, dtype):
        """`dot_general` as a broadcast product summed over the contracted
        axes: output axes first, contracted axes last."""
        (lhs_contract, rhs_contract), (lhs_batch, rhs_batch) = eqn.params["dimension_numbers"]
        lhs, rhs = values
        ranks = len(lhs.shape), len(rhs.shape)
        lhs_free = [axis for axis in range(ranks[0]) if axis not in lhs_contract and axis not in lhs_batch]
        rhs_free = [axis for axis in range(ranks[1]) if axis not in rhs_contract and axis not in rhs_batch]
        outer = len(shape)
        contracted = [lhs.shape[axis] for axis in lhs_contract]
        space = tuple(shape) + tuple(contracted)
        lhs_dims = [0] * ranks[0]
        rhs_dims = [0] * ranks[1]
        for index, (left, right) in enumerate(zip(lhs_batch, rhs_batch)):
            lhs_dims[left] = rhs_dims[right] = index
        for index, axis in enumerate(lhs_free):
            lhs_dims[axis] = len(lhs_batch) + index
        for index, axis in enumerate(rhs_free):
            rhs_dims[axis] = len(lhs_batch) + len(lhs_free) + index
        for index, (left, right) in enumerate(zip(lhs_contract, rhs_contract)):
            lhs_dims[left] = rhs_dims[right] = outer + index
        b = self.builder
        product = b.apply("*", [b.remap(lhs, lhs_dims, space), b.remap(rhs, rhs_dims, space)], space, dtype)
        return b.reduce("sum", product, range(outer, len(space)), shape)

    # Programs.

    def _plan_regions(self, precision, server):
        needed = {}
        for step in self.steps:
            for value in step.inputs:
                self._need(needed, value)
        for value in self.outputs:
            self._need(needed, value)
        self.regions = {}
        report = []
        for stage in sorted(needed):
            values = needed[stage]
            text, keys = program_text([value.node for value in values])
            dtype = _float_dtype([value.dtype for value in values] + [self.builder.leaf_dtypes[k] for k in keys])
            region_precision = precision or ("float32" if dtype == np.float32 else "float64")
            optimized = server.optimize(text, region_precision)
            self.regions[stage] = (values, keys, dtype, Evaluator(optimized.program, _OPS))
            report.append({
                "precision": region_precision, "program": text, "optimized": optimized.program,
                "warnings": optimized.warnings, "kept_input": optimized.kept_input, "report": optimized.report,
            })
        self.report = Report(report, Counter(step.eqn.primitive.name for step in self.steps))

    def _need(self, needed, value):
        if isinstance(value, jcore.Literal) or value.is_leaf or value.node.op in ("input", "const"):
            return
        bucket = needed.setdefault(value.node.stage, [])
        if all(other is not value for other in bucket):
            bucket.append(value)

    # Running.

    def run(self, flat):
        known = {("arg", index): value for index, value in enumerate(flat)}
        known.update(self.consts)
        computed = {}
        last = max([0] + list(self.regions) + [step.stage for step in self.steps])
        for stage in range(last + 1):
            if stage in self.regions:
                values, keys, dtype, evaluator = self.regions[stage]
                inputs = {f"x{index}": _as_float(known[key], dtype) for index, key in enumerate(keys)}
                results = evaluator(inputs, lambda number: jnp.asarray(number, dtype))
                for value, result in zip(values, results):
                    computed[id(value)] = _materialize(result, value)
            for step in self.steps:
                if step.stage == stage + 1:
                    arguments = [self._resolve(value, known, computed) for value in step.inputs]
                    results = step.eqn.primitive.bind(*arguments, **step.eqn.params)
                    if not step.eqn.primitive.multiple_results:
                        results = [results]
                    for j, result in enumerate(results):
                        known[("kept", step.index, j)] = result
        return [self._resolve(value, known, computed) for value in self.outputs]

    def _resolve(self, value, known, computed):
        if value.is_leaf:
            return known[value.node.attr]
        if value.node.op == "const":
            return jnp.broadcast_to(jnp.asarray(float(value.node.attr), value.dtype), value.shape)
        if value.node.op == "input":
            return _materialize(known[value.node.attr], value)
        return computed[id(value)]


def _retyped(value, dtype):
    from ._program import Value

    return Value(value.node, value.layout, value.shape, dtype)


def _float_dtype(dtypes):
    """The format a program computes in: float32 if any of its values is
    float32 (the stricter thresholds), else float64."""
    floats = {np.dtype(dtype) for dtype in dtypes} & set(_FLOATS)
    if np.dtype("float32") in floats or not floats and not jax.config.jax_enable_x64:
        return np.dtype("float32")
    return np.dtype("float64")


def _as_float(array, dtype):
    array = jnp.asarray(array)
    return array.astype(dtype) if array.dtype == jnp.bool_ else array


def _materialize(array, value):
    """The program's result (the expression's shape) as the JAX value: axes
    the value does not have dropped, broadcast axes filled in."""
    mapped = [(position, entry) for position, entry in enumerate(value.layout) if entry is not None]
    array = jnp.reshape(array, [jnp.shape(array)[position] for position, _ in mapped])
    array = jax.lax.broadcast_in_dim(array, value.shape, [entry for _, entry in mapped])
    if np.dtype(value.dtype) == _BOOL:
        return array != 0
    return array.astype(value.dtype)


def _reduction(function):
    def reduce(array, axis):
        return function(array) if axis is None else function(array, axis=axis, keepdims=True)

    return reduce


def _compare(function):
    return lambda a, b: function(a, b).astype(jnp.result_type(a, b))


_OPS = {
    "+": lambda *arrays: functools.reduce(jnp.add, arrays),
    "*": lambda *arrays: functools.reduce(jnp.multiply, arrays),
    "-": jnp.subtract, "/": jnp.divide, "pow": jnp.power, "maximum": jnp.maximum, "minimum": jnp.minimum,
    "eq": _compare(jnp.equal), "ne": _compare(jnp.not_equal), "lt": _compare(jnp.less),
    "le": _compare(jnp.less_equal), "gt": _compare(jnp.greater), "ge": _compare(jnp.greater_equal),
    "where": lambda c, a, b: jnp.where(c != 0, a, b),
    "neg": jnp.negative, "exp": jnp.exp, "log": jnp.log, "log1p": jnp.log1p, "expm1": jnp.expm1,
    "sqrt": jnp.sqrt, "abs": jnp.abs, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid, "softplus": jax.nn.softplus,
    "sum": _reduction(jnp.sum), "max": _reduction(jnp.max), "mean": _reduction(jnp.mean),
    "squeeze": lambda array, axis: jnp.squeeze(array, axis),
    "fill": lambda a, c: jnp.zeros(jnp.shape(a), jnp.result_type(a, c)) + c,
}
