"""The `saturate` executable, found and kept running as `saturate serve`.

One process answers every request of the Python process: a model with many
functions pays one process start and one loading of the rules, not one per
function. Requests and responses are JSON lines (`saturate serve --help`).
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path


class SaturateError(RuntimeError):
    """The optimizer refused a program, or the executable could not run."""


class Optimized:
    """What `saturate` returned for one program."""

    def __init__(self, program, warnings, kept_input, report):
        #: The stable program, in the language of docs/language.md.
        self.program = program
        #: One line per risk left (an exp that can still overflow, ...).
        self.warnings = list(warnings)
        #: Whether the rewrite was less accurate and the input came back.
        self.kept_input = kept_input
        #: The optimizer's report (iterations, rules applied, costs, accuracy).
        self.report = report


def find_executable():
    """The path of `saturate`: `SATURATE_BIN`, else the PATH, else a release
    (then debug) build of the repository holding the working directory or
    this package."""
    configured = os.environ.get("SATURATE_BIN")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise SaturateError(f"SATURATE_BIN={configured!r} is not an executable file")
        return configured
    on_path = shutil.which("saturate")
    if on_path:
        return on_path
    starts = [Path.cwd(), Path(__file__).resolve().parent]
    for start in starts:
        for folder in [start, *start.parents]:
            for build in ("release", "debug"):
                candidate = folder / ".build" / build / "saturate"
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return str(candidate)
    raise SaturateError(
        "cannot find the saturate executable: set SATURATE_BIN, put saturate on the PATH, "
        "or build the repository (swift build -c release --product saturate)"
    )


class Server:
    """A running `saturate serve`, answering one request at a time.

    Results are cached by (program, precision): tracing the same function
    again, under `jit` or for another call, costs no optimization.
    """

    def __init__(self, executable=None):
        self.executable = executable or find_executable()
        self._lock = threading.Lock()
        self._process = None
        self._stderr = None
        self._cache = {}
        self._next_id = 0

    def _start(self):
        self._stderr = tempfile.TemporaryFile(mode="w+")
        try:
            self._process = subprocess.Popen(
                [self.executable, "serve", "--report"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                text=True,
                bufsize=1,
            )
        except OSError as error:
            raise SaturateError(f"cannot run {self.executable}: {error}") from error

    def _died(self):
        self._stderr.seek(0)
        message = self._stderr.read().strip()
        status = self._process.poll()
        self._process = None
        return SaturateError(
            f"{self.executable} serve stopped (status {status})" + (f": {message}" if message else "")
        )

    def optimize(self, program, precision="float64"):
        """The stable form of `program` (text) computed in `precision`.

        Raises SaturateError with the optimizer's message for a program it
        refuses, or when the executable cannot run."""
        if precision not in ("float64", "float32"):
            raise ValueError(f"precision must be 'float64' or 'float32', not {precision!r}")
        key = (program, precision)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            if self._process is None or self._process.poll() is not None:
                self._start()
            self._next_id += 1
            request = {"id": self._next_id, "program": program, "precision": precision}
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
                line = self._process.stdout.readline()
            except (BrokenPipeError, OSError):
                raise self._died() from None
            if not line:
                raise self._died()
            response = json.loads(line)
            if response.get("id") != self._next_id:
                raise SaturateError(f"saturate serve answered out of order: {line.strip()}")
            if not response.get("ok"):
                raise SaturateError(response.get("error", "saturate serve failed"))
            result = Optimized(
                response["program"], response["warnings"], response["kept_input"], response.get("report", "")
            )
            self._cache[key] = result
            return result

    def close(self):
        """Ends the server process (a later request starts another)."""
        with self._lock:
            if self._process is not None:
                self._process.stdin.close()
                self._process.wait(timeout=10)
                self._process = None


_default = None
_default_lock = threading.Lock()


def default_server():
    """The server every bridge shares, started on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Server()
        return _default
