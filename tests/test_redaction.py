"""No secret is ever printed: every way a password can be written (a URL's userinfo, with an
unencoded `@` whose tail libpq takes for the host; a query parameter; a key=value connection
string, quoted or not; PGPASSWORD), through every command's error path, as real processes."""
from __future__ import annotations

import shutil

import pytest

from tickets_db import redaction

from .conftest import ROOT, tool_env
from .e2e.test_cli import run

SECRET = "Sx9-q7Lm"
FORMS = {
    "url userinfo": f"postgresql://app:{SECRET}@127.0.0.1:1/db",
    "url with @ in the password": f"postgresql://app:pa@{SECRET}@127.0.0.1:1/db",
    "url with @ and an unknown host": f"postgresql://app:pa@{SECRET}@no-such-host.invalid/db",
    "url query parameter": f"postgresql://app@127.0.0.1:1/db?sslmode=disable&password={SECRET}",
    "percent-encoded": f"postgresql://app:{SECRET}%40x@127.0.0.1:1/db",
    "key=value": f"host=127.0.0.1 port=1 user=app password={SECRET} dbname=db",
    "key=value quoted": f"host=127.0.0.1 port=1 user=app password='{SECRET} \\' x' dbname=db",
}


@pytest.fixture(autouse=True)
def forget():
    yield
    redaction._known.clear()


@pytest.mark.parametrize("form", FORMS)
def test_scrub_masks_every_form(form):
    url = FORMS[form]
    shown = redaction.redact(url)
    assert SECRET not in shown
    assert "127.0.0.1" in shown or "no-such-host" in shown  # where it points stays readable
    # and wherever the secret turns up later, in any message
    assert SECRET not in redaction.scrub(f'could not translate host name "{SECRET}@127.0.0.1" to address; password {SECRET}')


def test_pgpassword_is_masked(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", SECRET)
    redaction.remember_environment()
    assert redaction.scrub(f"FATAL: password authentication failed ({SECRET})") == "FATAL: password authentication failed (***)"


def test_shapes_are_masked_unremembered():
    text = "postgresql://u:hunter22@h/db and password=hunter33 and sslpassword='a b'"
    assert redaction.scrub(text) == "postgresql://u:***@h/db and password=*** and sslpassword=***"


COMMANDS = [
    ("status",), ("migrate",), ("reset", "--yes"), ("seed",), ("diff",), ("sql", "select 1"), ("pull",),
    ("typegen", "--from-db"), ("lint", "--from-db"), ("policies", "--from-db"), ("check",), ("new", "x"), ("test",),
]


@pytest.mark.parametrize("form", ["url userinfo", "url with @ in the password", "url with @ and an unknown host", "url query parameter", "key=value"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_no_command_prints_the_secret(project_copy, form, command):
    """The URL after the command, before it, and in $DATABASE_URL: one error, no secret."""
    url = FORMS[form]
    shutil.copytree(ROOT / "tests" / "database", project_copy / "tests" / "database")
    after = run("--project-dir", str(project_copy), *command, "--db-url", url)
    env = tool_env() | {"DATABASE_URL": url, "TICKETS_DB_SHADOW_URL": url}
    from_env = run("--project-dir", str(project_copy), *command, env=env)
    for result in (after, from_env):
        printed = result.stdout + result.stderr
        assert SECRET not in printed, printed
        assert "Traceback" not in printed
        assert result.returncode in (1, 2), printed
        assert "error:" in result.stderr


def test_debug_traceback_is_scrubbed_too(project_copy):
    url = FORMS["url userinfo"]
    result = run("--project-dir", str(project_copy), "--debug", "sql", "select 1", "--db-url", url)
    assert SECRET not in result.stdout + result.stderr and result.returncode == 1


def test_the_config_files_url_is_masked(project_copy):
    (project_copy / "tickets-db.toml").write_text((ROOT / "tickets-db.toml").read_text() + f'database_url = "{FORMS["url with @ in the password"]}"\n')
    result = run("--project-dir", str(project_copy), "status")
    assert SECRET not in result.stdout + result.stderr and result.returncode == 1
