"""Programs in saturate's language, built from framework graphs and read back.

A bridge walks a JAX or PyTensor graph and builds, for each value it can
express, a `Value`: an expression of the language (`Node`) and a `layout`
saying how the expression's axes sit in the framework value's axes. The
language broadcasts as numpy does, aligned on the right, keeps reduced axes
(`(sum x 1)` has shape [m 1]) and cannot insert an axis; frameworks drop
reduced axes and insert them back explicitly (`broadcast_in_dim`,
`DimShuffle`). Tracking where the expression's axes sit, rather than
materializing each framework step, lets `sum(exp x, axis=1)` broadcast back
over `x` as `(sum (exp x) 1)`, the form the rules know.

A layout has one entry per axis of the expression: the framework axis it
holds (its size there is the framework's, or 1 for an axis the framework
broadcasts), or None for a size-1 axis the framework value does not have.
Framework axes no entry names are broadcast. Entries that name axes are
increasing: the language cannot transpose.
"""

import math


class Untranslatable(Exception):
    """The operation has no expression in the language: it stays in the
    framework, and its result becomes an input of the regions around it."""


class Dim:
    """An axis size the graph does not fix (a PyTensor `None`): sizes that
    must be equal are unified, and the program names each class once."""

    def __init__(self):
        self._parent = self
        self.size = None

    def find(self):
        root = self
        while root._parent is not root:
            root = root._parent
        return root


def _resolve(size):
    if isinstance(size, Dim):
        root = size.find()
        return root.size if root.size is not None else root
    return size


def _broadcast_size(a, b):
    a, b = _resolve(a), _resolve(b)
    if a == 1:
        return b
    if b == 1:
        return a
    if isinstance(a, Dim) and isinstance(b, Dim):
        if a is not b:
            b._parent = a
        return a
    if isinstance(a, Dim):
        a.size = b
        return b
    if isinstance(b, Dim):
        b.size = a
        return a
    if a != b:
        raise Untranslatable(f"sizes {a} and {b} do not broadcast")
    return a


def broadcast_shapes(*shapes):
    """numpy's broadcast of IR shapes, unifying unknown sizes."""
    rank = max(len(shape) for shape in shapes)
    result = []
    for position in range(rank):
        size = 1
        for shape in shapes:
            index = position - (rank - len(shape))
            if index >= 0:
                size = _broadcast_size(size, shape[index])
        result.append(size)
    return tuple(result)


class Node:
    """One expression of the language, hash-consed by its `Builder`."""

    __slots__ = ("op", "args", "attr", "shape", "stage", "id")

    def __init__(self, op, args, attr, shape, stage, id):
        self.op = op  # "input", "const", or an operator of the language
        self.args = args
        self.attr = attr  # the axis of a reduction or squeeze, a const's value, an input's key
        self.shape = shape
        self.stage = stage  # how many kept operations precede it (see Builder)
        self.id = id


class Value:
    """A framework value expressed in the language (see the module's doc)."""

    __slots__ = ("node", "layout", "shape", "dtype")

    def __init__(self, node, layout, shape, dtype):
        self.node = node
        self.layout = tuple(layout)
        self.shape = tuple(shape)  # the framework's shape: ints, None where unknown
        self.dtype = dtype

    @property
    def is_leaf(self):
        """Whether the value is a framework value as it is: no program is
        needed to compute it."""
        return self.node.op == "input" and self.layout == tuple(range(len(self.shape)))


UNARY = {"neg", "exp", "log", "log1p", "expm1", "sqrt", "abs", "tanh", "sigmoid", "softplus"}
BINARY = {"+", "-", "*", "/", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"}


class Builder:
    """Builds expressions and the values over them for one graph.

    Leaves are the graph's inputs and the results of operations kept in the
    framework; a leaf's stage is 0 for an input and one more than its
    operation's inputs' for a kept result. A value's stage is its leaves'
    greatest: the values of one stage form one program, computable once the
    kept operations of lower stages have run.
    """

    def __init__(self):
        self._nodes = {}
        self.leaf_dtypes = {}  # key -> the framework dtype of the leaf

    def _node(self, op, args, attr, shape, stage=None):
        key = (op, tuple(arg.id for arg in args), attr)
        node = self._nodes.get(key)
        if node is None:
            if stage is None:
                stage = max((arg.stage for arg in args), default=0)
            node = Node(op, tuple(args), attr, tuple(shape), stage, len(self._nodes))
            self._nodes[key] = node
        return node

    # Leaves and constants.

    def leaf(self, key, shape, dtype, stage=0):
        """The framework value `key` taken as it is, of `shape` (None for an
        unknown size)."""
        ir_shape = tuple(Dim() if size is None else size for size in shape)
        node = self._node("input", (), key, ir_shape, stage)
        self.leaf_dtypes[key] = dtype
        return Value(node, range(len(shape)), shape, dtype)

    def constant(self, number, dtype):
        number = float(number)
        attr = "nan" if math.isnan(number) else number
        return Value(self._node("const", (), attr, ()), (), (), dtype)

    # Operations.

    def apply(self, op, values, shape, dtype):
        """Elementwise `op` of values whose framework shapes broadcast to
        `shape` (equal shapes, or scalars)."""
        if op in UNARY and len(values) != 1 or op in BINARY and len(values) != 2:
            raise ValueError(f"{op} takes {'1' if op in UNARY else '2'} operands")
        return self._elementwise(op, values, shape, dtype)

    def where(self, condition, if_true, if_false, shape, dtype):
        return self._elementwise("where", [condition, if_true, if_false], shape, dtype)

    def _elementwise(self, op, values, shape, dtype):
        rank = max(len(value.layout) for value in values)
        layout = []
        for position in range(rank):
            entry = None
            for value in values:
                index = position - (rank - len(value.layout))
                if index < 0:
                    continue
                own = value.layout[index]
                if own is None:
                    continue
                if entry is not None and own != entry:
                    raise Untranslatable("operands whose axes the language cannot align")
                entry = own
            layout.append(entry)
        named = [entry for entry in layout if entry is not None]
        if named != sorted(set(named)):
            raise Untranslatable("operands whose axes the language cannot align")
        ir_shape = broadcast_shapes(*(value.node.shape for value in values))
        node = self._node(op, [value.node for value in values], None, ir_shape)
        return Value(node, layout, shape, dtype)

    def _is_broadcast(self, value, position):
        """Whether the expression's axis `position` is 1 where the framework's
        axis is larger: a broadcast, not data."""
        axis = value.layout[position]
        return _resolve(value.node.shape[position]) == 1 and value.shape[axis] != 1

    def reduce(self, kind, value, axes, shape):
        """`kind` ("sum" or "max") of `value` over framework `axes`; the
        result has framework `shape` (the axes removed)."""
        axes = sorted({axis % len(value.shape) for axis in axes}) if value.shape else []
        if not axes:
            return value
        node = value.node
        factor = 1
        layout = list(value.layout)
        held = {entry: position for position, entry in enumerate(layout) if entry is not None}
        reduce_positions = []
        for axis in axes:
            position = held.get(axis)
            if position is None or self._is_broadcast(value, position):
                # Every element along the axis is the same value.
                size = value.shape[axis]
                if kind == "sum":
                    if size is None:
                        raise Untranslatable("a sum over a broadcast axis of unknown size")
                    factor *= size
                if position is not None:
                    layout[position] = None
            else:
                reduce_positions.append(position)
        # Every axis of the expression reduced or of size 1: a reduction of
        # every element, `(sum x)`, a scalar.
        everything = all(position in reduce_positions or layout[position] is None for position in range(len(layout)))
        if everything and reduce_positions:
            node = self._node(kind, [node], None, ())
            layout = []
        else:
            for position in reduce_positions:
                ir_shape = list(node.shape)
                ir_shape[position] = 1
                node = self._node(kind, [node], position - len(node.shape), ir_shape)
                layout[position] = None
        if factor != 1:
            node = self._node("*", [node, self.constant(factor, value.dtype).node], None, node.shape)
        layout = [None if entry is None else entry - sum(1 for axis in axes if axis < entry) for entry in layout]
        return Value(node, layout, shape, value.dtype)

    def remap(self, value, dims, shape):
        """`value` with its framework axis i moved to axis dims[i] of a value
        of `shape`, the other axes broadcast (`broadcast_in_dim`)."""
        layout = [None if entry is None else dims[entry] for entry in value.layout]
        named = [entry for entry in layout if entry is not None]
        if named != sorted(set(named)):
            raise Untranslatable("a transposition, which the language cannot express")
        for position, entry in enumerate(layout):
            if entry is not None:
                size = _resolve(value.node.shape[position])
                if size != 1 and shape[entry] is not None and size != shape[entry] and not isinstance(size, Dim):
                    raise Untranslatable("a broadcast of a non-unit axis")
        return Value(value.node, layout, shape, value.dtype)

    def squeeze(self, value, axes, shape):
        """`value` without its framework `axes`, each of size 1."""
        axes = {axis % len(value.shape) for axis in axes}
        layout = []
        for entry in value.layout:
            if entry is None or entry in axes:
                layout.append(None)
            else:
                layout.append(entry - sum(1 for axis in axes if axis < entry))
        return Value(value.node, layout, shape, value.dtype)

    def reshape(self, value, shape):
        """`value` reshaped to `shape`: only when the reshape inserts or
        removes axes of size 1."""
        old = [(axis, size) for axis, size in enumerate(value.shape) if size != 1]
        new = [(axis, size) for axis, size in enumerate(shape) if size != 1]
        if len(old) != len(new) or any(a[1] != b[1] or a[1] is None for a, b in zip(old, new)):
            raise Untranslatable("a reshape other than adding or removing axes of size 1")
        moved = {a[0]: b[0] for a, b in zip(old, new)}
        layout = [moved.get(entry) if entry is not None else None for entry in value.layout]
        return Value(value.node, layout, shape, value.dtype)


def program_text(outputs):
    """The program computing `outputs` (expression nodes, in order) as text,
    and the leaf keys its inputs read, in order."""
    names = {}
    inputs = []
    lets = []
    dim_names = {}

    def dim(size):
        size = _resolve(size)
        if isinstance(size, Dim):
            return dim_names.setdefault(size, f"d{len(dim_names)}")
        return str(size)

    def number(value):
        if value == "nan":
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)

    def name_of(node):
        if node.id in names:
            return names[node.id]
        if node.op == "const":
            return number(node.attr)
        if node.op == "input":
            name = f"x{len(inputs)}"
            inputs.append(node)
        else:
            parts = [node.op] + [name_of(arg) for arg in node.args]
            if node.attr is not None:
                parts.append(str(node.attr))
            name = f"t{len(lets)}"
            lets.append(f"(let {name} ({' '.join(parts)}))")
        names[node.id] = name
        return name

    results = [name_of(node) for node in outputs]
    lines = [f"(input {names[node.id]} [{' '.join(dim(size) for size in node.shape)}])" for node in inputs]
    lines += lets
    lines += [f"(output y{index} {result})" for index, result in enumerate(results)]
    return "\n".join(lines) + "\n", [node.attr for node in inputs]


# Reading programs back.


def _tokens(text):
    token = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == ";":
            while index < len(text) and text[index] != "\n":
                index += 1
            continue
        if char in "()[]" or char.isspace():
            if token:
                yield token
                token = ""
            if not char.isspace():
                yield char
        else:
            token += char
        index += 1
    if token:
        yield token


def parse_program(text):
    """The statements of a program printed by `saturate`: a list of
    ("input", name, dims), ("let", name, expr) and ("output", name, expr),
    expressions as nested tuples (op, args...) with numbers as floats and
    names as strings."""
    stack = [[]]
    for token in _tokens(text):
        if token in "([":
            stack.append([])
        elif token in ")]":
            if len(stack) < 2:
                raise ValueError("unbalanced parentheses in the optimizer's program")
            done = stack.pop()
            stack[-1].append(tuple(done))
        else:
            stack[-1].append(_atom(token))
    if len(stack) != 1:
        raise ValueError("unbalanced parentheses in the optimizer's program")
    return [(statement[0], statement[1], statement[2]) for statement in stack[0]]


def _atom(token):
    try:
        return float(token)
    except ValueError:
        return token


class Evaluator:
    """Evaluates a program read back with a framework's operations (`ops`:
    a mapping from the language's operators to functions, see the bridges),
    inputs given by name."""

    def __init__(self, text, ops):
        self.statements = parse_program(text)
        self.ops = ops
        for kind, _, expr in self.statements:
            if kind in ("let", "output"):
                self._check(expr)

    def _check(self, expr):
        if isinstance(expr, tuple):
            if expr[0] not in self.ops:
                raise ValueError(f"the optimizer returned operator {expr[0]!r}, which the bridge cannot build")
            for arg in expr[1:]:
                self._check(arg)

    def __call__(self, inputs, constant):
        env = dict(inputs)
        outputs = []

        def value(expr):
            if isinstance(expr, float):
                return constant(expr)
            if isinstance(expr, str):
                return env[expr]
            op, args = expr[0], expr[1:]
            if op in ("sum", "max", "mean", "squeeze"):
                axis = int(args[1]) if len(args) > 1 else None
                return self.ops[op](value(args[0]), axis)
            return self.ops[op](*[value(arg) for arg in args])

        for kind, name, expr in self.statements:
            if kind == "let":
                env[name] = value(expr)
            elif kind == "output":
                outputs.append(value(expr))
        return outputs
