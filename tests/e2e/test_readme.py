"""Every `tickets-db` command line the README shows runs as written: the lines of its `sh`
blocks (each block in order, as one session) and every inline command given with arguments
(`tickets-db migrate --db-url "$URL"`). A synopsis with placeholders (`tickets-db new NAME`) is
not a command line. `$URL` is a scratch database on the test server; a URL written with `…` for
its password is one too. The README's CI lines once exited 2 ("No such option: --db-url")
because nothing ran them."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.localdb import Cluster

from ..conftest import ROOT, stop_local, tool_env

README = ROOT / "README.md"
VENV_BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\b[A-Z]{3,}\b(?<!URL)|…|\[[A-Z]+\]")
ELLIPSIS_URL = re.compile(r"postgresql://\S*…\S*")


@dataclass(frozen=True)
class Session:
    section: str
    lines: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.section}: {self.lines[0]}"[:90]


def sessions(text: str) -> list[Session]:
    found: list[Session] = []
    section = ""
    fence: str | None = None  # the open block's language
    block: list[str] = []
    for line in text.splitlines():
        if line.startswith("```"):
            if fence is None:
                fence, block = line[3:].strip(), []
                continue
            commands = tuple(b for b in block if "tickets-db " in b)
            if fence == "sh" and commands:
                found.append(Session(section, commands))
            fence = None
        elif fence is not None:
            block.append(re.sub(r"\s+#\s.*$", "", line).strip())
        elif line.startswith("## "):
            section = line[3:].strip()
        else:
            for span in re.findall(r"`((?:\.venv/bin/)?tickets-db [^`]+)`", line):
                if " " in span.split("tickets-db ", 1)[1].strip() and not PLACEHOLDER.search(span):
                    found.append(Session(section, (span,)))
    return found


SESSIONS = sessions(README.read_text())


def test_the_readme_has_command_lines_to_run():
    lines = [line for s in SESSIONS for line in s.lines]
    assert 'tickets-db migrate --db-url "$URL"' in lines and 'tickets-db reset --db-url "$URL" --yes' in lines
    assert any(line.startswith(".venv/bin/tickets-db new ") for line in lines)
    assert any(line.startswith("tickets-db pull --db-url postgresql://") for line in lines)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, cluster):
    """The repository as a newcomer has it (a copy: the commands write into it), with its local
    database; and a folder for adopting a database."""
    root = tmp_path_factory.mktemp("readme")
    repo = root / "repo"
    for name in ("schema", "migrations", "seeds", "src/tickets_db_models"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.copytree(ROOT / "tests" / "database", repo / "tests" / "database")
    shutil.copy(ROOT / "tickets-db.toml", repo / "tickets-db.toml")
    (repo / ".venv").mkdir()
    (repo / ".venv" / "bin").symlink_to(VENV_BIN)
    reset = subprocess.run([str(VENV_BIN / "tickets-db"), "--project-dir", str(repo), "reset"], capture_output=True, text=True, env=tool_env())
    assert reset.returncode == 0, reset.stderr  # what `make demo` leaves: the local database, seeded
    yield repo, root / "adopter"
    subprocess.run([str(VENV_BIN / "tickets-db"), "--project-dir", str(repo), "stop"], capture_output=True)
    Cluster(repo / ".tickets-db").destroy()
    stop_local(root / "adopter")


@pytest.mark.parametrize("session", SESSIONS, ids=lambda s: s.id)
def test_command_line(session, workspace, scratch, cluster):
    repo, adopter = workspace
    url = scratch()  # an empty database, as a CI job's service gives one
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, url.rsplit("/", 1)[1], template="template0")
    env = tool_env() | {"PATH": f"{VENV_BIN}:{os.environ['PATH']}", "URL": url}
    env.pop("TICKETS_DB_SHADOW_URL", None)  # as on a newcomer's machine: the local database
    cwd = repo
    if session.section.startswith("Adopting"):  # an existing database, adopted in a new folder
        stop_local(adopter)  # what an earlier session started there
        shutil.rmtree(adopter, ignore_errors=True)
        adopter.mkdir()
        cwd = adopter
        built = subprocess.run(["tickets-db", "--project-dir", str(repo), "reset", "--yes", "--db-url", url], capture_output=True, text=True, env=env)
        assert built.returncode == 0, built.stderr
    for line in session.lines:
        command = ELLIPSIS_URL.sub(url, line)
        result = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr
