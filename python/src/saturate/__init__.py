"""Numerically stable tensor programs for Python users, by equality saturation.

`saturate.jax.stabilize(f)` rewrites a JAX function; importing
`saturate.pytensor` registers an opt-in graph rewriter for PyTensor
(`mode=get_default_mode().including("saturate")`). Both send the parts of the
graph the language of `saturate` can express to the `saturate` executable
(found through `SATURATE_BIN`, the PATH, or a build of the repository) and
rebuild its stable forms in the framework. `docs/python.md` has the details.
"""

from ._server import Optimized, SaturateError, Server, default_server, find_executable

__all__ = ["Optimized", "SaturateError", "Server", "default_server", "find_executable", "optimize"]
__version__ = "0.1.0"


def optimize(program, precision="float64"):
    """The stable form of a program in saturate's language (text), as an
    `Optimized` (`.program`, `.warnings`, `.kept_input`, `.report`)."""
    return default_server().optimize(program, precision)
