"""The policy matrix: what each API role gets per table and command, the same from the YAML
and from the database."""
from __future__ import annotations

from tickets_db import db
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load
from tickets_db.policies import ROLES, matrix

from .conftest import ROOT


def cells(catalog, table, command):
    line = next(x for x in matrix(catalog) if x.table == table and x.command == command)
    return dict(zip(ROLES, line.cells))


def test_the_project_matrix():
    catalog = load(ROOT / "schema", ROOT)
    select = cells(catalog, "public.tickets", "select")
    assert select["anon"].verdict == "no grant"
    assert select["authenticated"].policies == ("select_tickets",)
    assert select["service_role"].verdict == "all" and select["service_role"].why == "bypasses RLS"
    assert cells(catalog, "public.accounts", "delete")["authenticated"].verdict == "none"
    assert cells(catalog, "public.billing_customers", "insert")["authenticated"].verdict == "no grant"
    objects = cells(catalog, "storage.objects", "select")["authenticated"]
    assert set(objects.policies) == {"account_image", "message_attachments"}


def test_yaml_and_database_agree(migrated_db):
    authored = load(ROOT / "schema", ROOT)
    with db.connection(migrated_db) as conn:
        live = introspect(conn, Scope.of(authored))
    assert matrix(live) == matrix(authored)
