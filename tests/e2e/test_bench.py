"""Every benchmark command line the README shows runs as written, with smaller inputs appended
(argparse takes a flag's last value), so the suite checks each script, its flags and its report
in seconds instead of minutes. The figures are the README's to quote, from full runs; this test
asserts none of them."""
from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, tool_env

SMALLER = {
    "reset.py": ["--runs", "1"],
    "online.py": ["--runs", "1", "--rows", "20000", "--kinds", "not_null"],
    "typegen.py": ["--runs", "1", "--tables", "50"],
}
REPORTS = {"reset.py": "ratio", "online.py": "statement plain", "typegen.py": "tickets-db typegen"}


def readme_lines() -> list[str]:
    return [line.strip() for line in (ROOT / "README.md").read_text().splitlines() if line.strip().startswith(".venv/bin/python bench/")]


def test_every_benchmark_the_readme_shows_is_run_here():
    assert sorted(Path(shlex.split(line)[1]).name for line in readme_lines()) == sorted(SMALLER)


@pytest.mark.parametrize("line", readme_lines())
def test_a_benchmark_line_of_the_readme_runs(line):
    python, script, *args = shlex.split(line)
    interpreter = ROOT / python if (ROOT / python).exists() else Path(sys.executable)
    result = subprocess.run([str(interpreter), script, *args, *SMALLER[Path(script).name]], cwd=ROOT,
                            capture_output=True, text=True, env=tool_env(), timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert REPORTS[Path(script).name] in result.stdout
