"""Stable PyTensor graphs: a graph rewriter that replaces the maximal
subgraphs saturate's language can express by their stable forms.

Importing this module registers the rewriter in PyTensor's rewrite database
under the name "saturate", opt-in:

    mode = get_default_mode().including("saturate")
    f = pytensor.function([x], pytensor.grad(cost, x), mode=mode)

It runs after the first merge, before PyTensor's own canonicalization, so it
sees gradient graphs as `pytensor.grad` builds them. Nodes it cannot
translate stay; their outputs become inputs of the programs around them.
`SaturateRewriter.last_report` says what the last run sent and got back.
"""

import functools

import numpy as np
import pytensor.tensor as pt
from pytensor.compile import optdb
from pytensor.graph.basic import Constant
from pytensor.graph.rewriting.basic import GraphRewriter
from pytensor.tensor.elemwise import CAReduce, DimShuffle, Elemwise

from ._program import Builder, Evaluator, Untranslatable, program_text
from ._server import SaturateError, default_server

__all__ = ["SaturateRewriter", "stabilize_graph"]

_FLOATS = ("float32", "float64")

_SCALAR_OPS = {
    "Exp": "exp", "Log": "log", "Log1p": "log1p", "Expm1": "expm1", "Sqrt": "sqrt", "Abs": "abs",
    "Tanh": "tanh", "Neg": "neg", "Sigmoid": "sigmoid", "Softplus": "softplus", "Add": "+", "Mul": "*",
    "Sub": "-", "TrueDiv": "/", "Pow": "pow", "ScalarMaximum": "maximum", "ScalarMinimum": "minimum",
    "EQ": "eq", "NEQ": "ne", "LT": "lt", "LE": "le", "GT": "gt", "GE": "ge",
}


class SaturateRewriter(GraphRewriter):
    """Replaces the translatable subgraphs of a FunctionGraph by the stable
    programs `saturate` returns for them."""

    def __init__(self, server=None):
        super().__init__()
        self.server = server
        #: A list with one dict per program of the last graph rewritten:
        #: "precision", "program", "optimized", "warnings", "kept_input";
        #: and under "kept" the names of the ops left as they were.
        self.last_report = None

    def add_requirements(self, fgraph):
        from pytensor.graph.features import ReplaceValidate

        fgraph.attach_feature(ReplaceValidate())

    def apply(self, fgraph):
        translation = _Translation(fgraph)
        regions = translation.regions()
        report = {"programs": [], "kept": sorted({type(node.op).__name__ for node in translation.kept})}
        server = self.server or default_server()
        replacements = []
        for values in regions:
            text, keys = program_text([value.node for value in values])
            dtype = _float_dtype([value.dtype for value in values] + [key.dtype for key in keys])
            try:
                optimized = server.optimize(text, "float32" if dtype == "float32" else "float64")
            except SaturateError as error:
                report["programs"].append({"program": text, "error": str(error)})
                continue
            evaluator = Evaluator(optimized.program, _OPS)
            results = evaluator(
                {f"x{index}": _as_float(key, dtype) for index, key in enumerate(keys)},
                lambda number: pt.constant(np.asarray(number, dtype=dtype)),
            )
            for value, result in zip(values, results):
                replacements.append((value.variable, _materialize(result, value)))
            report["programs"].append({
                "precision": dtype, "program": text, "optimized": optimized.program,
                "warnings": optimized.warnings, "kept_input": optimized.kept_input,
            })
        if replacements:
            fgraph.replace_all_validate(replacements, reason="saturate")
        self.last_report = report
        return report


def stabilize_graph(fgraph, server=None):
    """Rewrites `fgraph` in place, as the registered rewriter does; returns
    the report."""
    rewriter = SaturateRewriter(server)
    rewriter.add_requirements(fgraph)
    return rewriter.apply(fgraph)


class _Translation:
    """A FunctionGraph's variables as values of the language, where they can
    be."""

    def __init__(self, fgraph):
        self.fgraph = fgraph
        self.builder = Builder()
        self.values = {}
        self.kept = []
        for node in fgraph.toposort():
            inputs = [self._read(var) for var in node.inputs]
            try:
                outputs = self._translate(node, inputs)
            except Untranslatable:
                stage = 1 + max((value.node.stage for value in inputs if value is not None), default=0)
                self.kept.append(node)
                outputs = [self._leaf(var, stage) for var in node.outputs]
            for var, value in zip(node.outputs, outputs):
                value.variable = var
                self.values[var] = value

    def _leaf(self, var, stage=0):
        value = self.builder.leaf(var, var.type.shape, str(var.dtype), stage) if hasattr(var.type, "shape") else None
        if value is not None:
            value = _Located(value)
            value.variable = var
        return value

    def _read(self, var):
        if var in self.values:
            return self.values[var]
        data = np.asarray(var.data) if isinstance(var, Constant) else None
        if data is not None and data.size and data.dtype.kind in "fiub" and np.all(data == data.flat[0]):
            # A constant of one repeated number (PyTensor's `x * 2`): the
            # number, broadcast.
            from ._program import Value

            number = self.builder.constant(float(data.flat[0]), str(var.dtype))
            value = _Located(Value(number.node, (), var.type.shape, str(var.dtype)))
        else:
            value = self._leaf(var)
        if value is not None:
            value.variable = var
            self.values[var] = value
        return value

    def _translate(self, node, inputs):
        op = node.op
        if any(value is None for value in inputs):
            raise Untranslatable("a non-tensor input")
        for var in node.outputs:
            if str(var.dtype) not in _FLOATS + ("bool",):
                raise Untranslatable(f"{var.dtype} values")
        out = node.outputs[0]
        shape, dtype = out.type.shape, str(out.dtype)
        b = self.builder
        if isinstance(op, Elemwise):
            name = type(op.scalar_op).__name__
            if name in _SCALAR_OPS:
                language = _SCALAR_OPS[name]
                if language in ("+", "*") and len(inputs) > 2:
                    return [_Located(functools.reduce(lambda a, c: b.apply(language, [a, c], shape, dtype), inputs))]
                return [_Located(b.apply(language, inputs, shape, dtype))]
            if name == "Switch":
                return [_Located(b.where(*inputs, shape, dtype))]
            if name == "Second":
                return [_Located(b._elementwise("fill", inputs, shape, dtype))]
            if name in ("Identity", "Cast"):
                value = inputs[0]
                return [_Located(_retyped(value, dtype))]
            if name == "Reciprocal":
                return [_Located(b.apply("/", [b.constant(1, dtype), inputs[0]], shape, dtype))]
            if name == "Sqr":
                return [_Located(b.apply("*", [inputs[0], inputs[0]], shape, dtype))]
            raise Untranslatable(name)
        if isinstance(op, CAReduce):
            kind = {"Sum": "sum", "Max": "max"}.get(type(op).__name__)
            if kind is None:
                raise Untranslatable(type(op).__name__)
            axes = range(inputs[0].node.shape and len(inputs[0].shape)) if op.axis is None else op.axis
            return [_Located(b.reduce(kind, inputs[0], list(axes), shape))]
        if isinstance(op, DimShuffle):
            value = inputs[0]
            kept = [axis for axis in op.new_order if axis != "x"]
            if kept != sorted(kept):
                raise Untranslatable("a transposition")
            dropped = [axis for axis in range(len(value.shape)) if axis not in kept]
            middle = tuple(size for axis, size in enumerate(value.shape) if axis not in dropped)
            squeezed = b.squeeze(value, dropped, middle) if dropped else value
            dims = [op.new_order.index(axis) for axis in kept]
            return [_Located(b.remap(squeezed, dims, shape))]
        raise Untranslatable(type(op).__name__)

    def regions(self):
        """The values to replace, grouped by stage: those a kept node or the
        graph's outputs read, when a program is needed to compute them."""
        needed = {}

        def need(var):
            value = self.values.get(var)
            if value is None or value.is_leaf or value.node.op in ("input", "const"):
                return
            bucket = needed.setdefault(value.node.stage, [])
            if all(other is not value for other in bucket):
                bucket.append(value)

        for node in self.kept:
            for var in node.inputs:
                need(var)
        for var in self.fgraph.outputs:
            need(var)
        return [needed[stage] for stage in sorted(needed)]


class _Located:
    """A `Value` that remembers the PyTensor variable it stands for."""

    def __init__(self, value):
        self._value = value
        self.variable = None

    def __getattr__(self, name):
        return getattr(self._value, name)


def _retyped(value, dtype):
    from ._program import Value

    inner = value._value if isinstance(value, _Located) else value
    return Value(inner.node, inner.layout, inner.shape, dtype)


def _float_dtype(dtypes):
    return "float32" if "float32" in {str(dtype) for dtype in dtypes} else "float64"


def _as_float(var, dtype):
    return pt.cast(var, dtype) if str(var.dtype) == "bool" else var


def _materialize(result, value):
    """The program's result as a replacement of the variable: axes it does
    not have dropped, broadcast axes filled in, its type."""
    original = value.variable
    mapped = [(position, entry) for position, entry in enumerate(value.layout) if entry is not None]
    if len(mapped) != result.ndim:
        result = result.dimshuffle([position for position, _ in mapped])
    order = ["x"] * original.ndim
    for index, (_, entry) in enumerate(mapped):
        order[entry] = index
    if order != list(range(result.ndim)):
        result = result.dimshuffle(order)
    if result.type.shape != original.type.shape:
        result = pt.broadcast_to(result, original.shape)
    if str(original.dtype) == "bool":
        result = pt.neq(result, 0)
    elif result.dtype != original.dtype:
        result = pt.cast(result, original.dtype)
    return original.type.filter_variable(result, allow_convert=True)


def _reduction(function):
    def reduce(array, axis):
        return function(array) if axis is None else function(array, axis=axis, keepdims=True)

    return reduce


def _compare(function):
    return lambda a, b: pt.cast(function(a, b), pt.as_tensor_variable(a).dtype)


_OPS = {
    "+": lambda *arrays: functools.reduce(pt.add, arrays),
    "*": lambda *arrays: functools.reduce(pt.mul, arrays),
    "-": pt.sub, "/": pt.true_div, "pow": pt.pow, "maximum": pt.maximum, "minimum": pt.minimum,
    "eq": _compare(pt.eq), "ne": _compare(pt.neq), "lt": _compare(pt.lt), "le": _compare(pt.le),
    "gt": _compare(pt.gt), "ge": _compare(pt.ge),
    "where": lambda c, a, b: pt.switch(pt.neq(c, 0), a, b),
    "neg": pt.neg, "exp": pt.exp, "log": pt.log, "log1p": pt.log1p, "expm1": pt.expm1, "sqrt": pt.sqrt,
    "abs": pt.abs, "tanh": pt.tanh, "sigmoid": pt.sigmoid, "softplus": pt.softplus,
    "sum": _reduction(pt.sum), "max": _reduction(pt.max), "mean": _reduction(pt.mean),
    "squeeze": lambda array, axis: pt.squeeze(array, axis=axis),
    "fill": lambda a, c: pt.zeros_like(a) + c,
}

optdb.register("saturate", SaturateRewriter(), position=0.5)
