import json
import os
import subprocess

import numpy as np
import pytest

import saturate
from saturate import SaturateError, Server, find_executable

import cases


def test_a_refused_program_raises_with_the_optimizers_message():
    with pytest.raises(SaturateError, match="'exp' takes 1 operand"):
        saturate.optimize("(input x [3])\n(output y (exp x x))\n")


def test_a_bad_precision_is_a_value_error():
    with pytest.raises(ValueError, match="float32"):
        saturate.optimize("(input x [3])\n(output y (exp x))\n", precision="float16")


def test_a_missing_executable_is_named(monkeypatch):
    monkeypatch.setenv("SATURATE_BIN", "/nonexistent/saturate")
    with pytest.raises(SaturateError, match="SATURATE_BIN"):
        find_executable()


def test_the_server_survives_bad_requests_and_answers_in_order():
    server = Server()
    with pytest.raises(SaturateError):
        server.optimize("(output", "float64")
    result = server.optimize("(input x [n])\n(output y (log (sum (exp x))))\n")
    assert "max" in result.program and result.warnings == [] and not result.kept_input
    server.close()


@pytest.mark.parametrize("name", cases.NAMES)
def test_public_case_optimized_and_evaluated_in_float32_has_no_overflow(name, tmp_path):
    """The command line alone: optimize --precision float32, then eval
    --precision float32 on every input set."""
    executable = find_executable()
    optimized = subprocess.run(
        [executable, "optimize", "--precision", "float32", str(cases.CORPUS / f"{name}.eqs")],
        check=True, capture_output=True, text=True,
    ).stdout
    program = tmp_path / f"{name}.eqs"
    program.write_text(optimized)
    truths = cases.truths(name)
    for set_name, _ in cases.input_sets(name):
        printed = subprocess.run(
            [executable, "eval", str(program), "--precision", "float32", "--inputs",
             str(cases.CORPUS / f"{name}.json"), "--input-set", set_name],
            check=True, capture_output=True, text=True,
        ).stdout
        for output, value in json.loads(printed).items():
            truth, _, scored = truths[set_name][output]
            result = np.vectorize(float)(np.array(value, dtype=object)).astype(np.float64).reshape(truth.shape)
            with np.errstate(over="ignore"):
                finite = np.isfinite(truth.astype(np.float32)) & scored
            assert np.isfinite(result[finite]).all(), f"{name} {set_name} {output}: {result}"
