import os
from pathlib import Path

# The repository's own build, unless the caller chose an executable: the
# tests check this checkout's optimizer, not one found elsewhere on the PATH.
_BUILD = Path(__file__).resolve().parents[2] / ".build" / "release" / "saturate"
if "SATURATE_BIN" not in os.environ and _BUILD.is_file():
    os.environ["SATURATE_BIN"] = str(_BUILD)
