"""Each operation kind renders to exactly this SQL."""
from __future__ import annotations

import pytest

from tickets_db.model import Argument, Column, Constraint, Domain, Enum, Function, Grant, Index, Policy, Rows, Table, Trigger, TriggerEvent
from tickets_db.kinds.common import Drop, Rename, SetGrants
from tickets_db.kinds.domains import CreateDomain
from tickets_db.kinds.enums import AddEnumValue, CreateEnum
from tickets_db.kinds.functions import CreateFunction
from tickets_db.kinds.policies import AlterPolicy, CreatePolicy
from tickets_db.kinds.rows import InsertRows, UpdateRows
from tickets_db.kinds.tables import AddColumn, AddConstraint, AlterColumn, CreateIndex, CreateTable, DisableRls, EnableRls
from tickets_db.kinds.triggers import CreateTrigger
from tickets_db.render import ident, render_migration, render_op

TABLE = Table(
    "public", "messages",
    columns=(Column("id", "uuid", default="gen_random_uuid()"), Column("ticket_id", "uuid", not_null=True), Column("order", "int")),
    constraints=(
        Constraint("messages_pkey", "primary_key", ("id",), inline=True),
        Constraint("messages_ticket_id_fkey", "foreign_key", ("ticket_id",), "public.tickets", ("id",), "cascade", inline=True),
        Constraint("order_positive", "check", expression="\"order\" > 0"),
    ),
)

CASES = [
    (CreateEnum(enum=Enum("public", "ticket_priority", ("low", "medium", "high"))), "create type public.ticket_priority as enum ('low', 'medium', 'high');\n"),
    (CreateDomain(domain=Domain("public", "email", "varchar(320)", check="value ~ '@'")), "create domain public.email as varchar(320) check (value ~ '@');\n"),
    (
        CreateDomain(domain=Domain("app", "quantity", "integer", not_null=True, default="1", check="value > 0", comment="How many")),
        "create domain app.quantity as integer default 1 not null check (value > 0);\ncomment on domain app.quantity is 'How many';\n",
    ),
    (AddEnumValue(enum="public.app_permissions", value="tickets.update"), "alter type public.app_permissions add value if not exists 'tickets.update';\n"),
    (AddEnumValue(enum="public.e", value="b", before="c"), "alter type public.e add value if not exists 'b' before 'c';\n"),
    (
        CreateTable(table=TABLE),
        "-- Table: public.messages\ncreate table public.messages (\n"
        "  id uuid primary key default gen_random_uuid(),\n"
        "  ticket_id uuid not null references public.tickets(id) on delete cascade,\n"
        '  "order" int,\n'
        '  constraint order_positive check ("order" > 0)\n);\n',
    ),
    (AddColumn(table="public.t", column=Column("n", "varchar(10)", not_null=True, default="'x'")), "alter table public.t add column n varchar(10) not null default 'x';\n"),
    (AddConstraint(table="public.t", constraint=Constraint("t_a_b_key", "unique", ("a", "b"))), "alter table public.t add constraint t_a_b_key unique (a, b);\n"),
    (CreateIndex(table="public.tickets", index=Index("ix_tickets_account_id", ("account_id",))), "create index ix_tickets_account_id on public.tickets (account_id);\n"),
    (CreateIndex(table="public.a", index=Index("u", ("b",), unique=True, method="hash", where="c = true")), "create unique index u on public.a using hash (b) where c = true;\n"),
    (EnableRls(table="public.tickets"), "alter table public.tickets enable row level security;\n"),
    (
        SetGrants(target_kind="table", target="public.plans", grants=(Grant("authenticated", ("select",)), Grant("service_role", ("select",))), revoke_from=("public", "anon")),
        "-- public.plans: exactly the privileges the schema lists\nrevoke all on public.plans from public, anon;\ngrant select on public.plans to authenticated, service_role;\n",
    ),
    (
        CreatePolicy(table="public.tickets", policy=Policy("update_tickets", "update", ("authenticated",), True, "a(x)", "b(x)")),
        "-- UPDATE(public.tickets)\ncreate policy update_tickets\n  on public.tickets\n  for update\n  to authenticated\n  using (\n    a(x)\n  )\n  with check (\n    b(x)\n  );\n",
    ),
    (
        CreatePolicy(table="public.t", policy=Policy("p", "select", ("authenticated",), False, "true")),
        "-- SELECT(public.t)\ncreate policy p\n  on public.t\n  as restrictive\n  for select\n  to authenticated\n  using (\n    true\n  );\n",
    ),
    (
        CreateTrigger(table="public.tickets", trigger=Trigger("t", "before", (TriggerEvent("update", ("status",)),), "kit.f", when="old.status is distinct from new.status")),
        "create trigger t\n  before update of status on public.tickets\n  for each row\n  when (old.status is distinct from new.status)\n  execute function kit.f();\n",
    ),
    (
        CreateFunction(function=Function("public", "f", (Argument("a", "uuid"), Argument("b", "varchar(50)", "null")), "boolean", "\nselect true;\n", "sql", volatility="stable", security_definer=True, config=(("search_path", ""),))),
        "create or replace function public.f(a uuid, b varchar(50) default null)\n  returns boolean\n  language sql\n  stable\n  security definer\n  set search_path = ''\n  as $$\nselect true;\n$$;\n",
    ),
    (  # the body is the source exactly (what `pull` read), not re-indented or trimmed
        CreateFunction(function=Function("app", "greet", (Argument("p_name", "text"),), "text", " select 'hello ' || p_name ", "sql", volatility="immutable")),
        "create or replace function app.greet(p_name text)\n  returns text\n  language sql\n  immutable\n  as $$ select 'hello ' || p_name $$;\n",
    ),
    (
        CreateFunction(function=Function("public", "g", (), None, "\nbegin end;\n", returns_table=(("id", "uuid"),), returns_set=True)),
        "create or replace function public.g()\n  returns table (id uuid)\n  language plpgsql\n  as $$\nbegin end;\n$$;\n",
    ),
    (
        InsertRows(rows=Rows("public.role_permissions", ("role", "permission"), ("role", "permission"), (("owner", "tickets.update"), ("owner", "it's")))),
        "insert into public.role_permissions (role, permission)\nvalues\n  ('owner', 'tickets.update'),\n  ('owner', 'it''s');\n",
    ),
    (
        SetGrants(target_kind="column", target="public.accounts", column="name", grants=(Grant("authenticated", ("select", "update")),), revoke_from=("public", "anon")),
        "-- public.accounts.name: exactly the privileges the schema lists\nrevoke all (name) on public.accounts from public, anon;\ngrant select (name), update (name) on public.accounts to authenticated;\n",
    ),
    # changes, drops and renames
    (Drop(kind="table", target="public.plans"), "drop table public.plans;\n"),
    (Drop(kind="column", target="customer_email", table="public.tickets"), "alter table public.tickets drop column customer_email;\n"),
    (Drop(kind="constraint", target="tickets_title_check", table="public.tickets"), "alter table public.tickets drop constraint tickets_title_check;\n"),
    (Drop(kind="index", target="ix_tickets_account_id", table="public.tickets"), "drop index public.ix_tickets_account_id;\n"),
    (Drop(kind="policy", target="select_tickets", table="public.tickets"), "drop policy select_tickets on public.tickets;\n"),
    (Drop(kind="trigger", target="t", table="public.tickets"), "drop trigger t on public.tickets;\n"),
    (Drop(kind="view", target="public.user_accounts"), "drop view public.user_accounts;\n"),
    (Drop(kind="function", target="public.f", signature=("uuid", "text")), "drop function public.f(uuid, text);\n"),
    (Drop(kind="function", target="app.f(); drop table app.keep; --", signature=()), 'drop function app."f(); drop table app.keep; --"();\n'),
    (Drop(kind="type", target="public.ticket_status"), "drop type public.ticket_status;\n"),
    (Drop(kind="domain", target="public.email"), "drop domain public.email;\n"),
    (Drop(kind="schema", target="app"), "drop schema app;\n"),
    (Drop(kind="extension", target="pg_trgm"), "drop extension pg_trgm;\n"),
    (Rename(kind="table", table="public.tags", old="tags", new="labels"), "alter table public.tags rename to labels;\n"),
    (Rename(kind="column", table="public.tickets", old="title", new="subject"), "alter table public.tickets rename column title to subject;\n"),
    (Rename(kind="constraint", table="public.labels", old="tags_pkey", new="labels_pkey"), "alter table public.labels rename constraint tags_pkey to labels_pkey;\n"),
    (Rename(kind="index", table="public.labels", old="ix_tags", new="ix_labels"), "alter index public.ix_tags rename to ix_labels;\n"),
    (AlterColumn(table="public.t", column="qty", type="bigint"), "alter table public.t\n  alter column qty type bigint;\n"),
    (AlterColumn(table="public.t", column="n", type="integer", using="n::integer"), "alter table public.t\n  alter column n type integer using n::integer;\n"),
    (AlterColumn(table="public.t", column="Mood", type="app.b", convert="text"), 'alter table public.t\n  alter column "Mood" type app.b using "Mood"::text::app.b;\n'),
    (AlterColumn(table="public.t", column="n", type="integer", convert="cast", drop_default_first=True, default="1", change_default=True),
     "alter table public.t\n  alter column n drop default,\n  alter column n type integer using n::integer,\n  alter column n set default 1;\n"),
    (
        AlterColumn(table="public.t", column="order", type="bigint", default="1", change_default=True, not_null=True),
        'alter table public.t\n  alter column "order" type bigint,\n  alter column "order" set default 1,\n  alter column "order" set not null;\n',
    ),
    (AlterColumn(table="public.t", column="a", change_default=True, not_null=False), "alter table public.t\n  alter column a drop default,\n  alter column a drop not null;\n"),
    (DisableRls(table="public.t"), "alter table public.t disable row level security;\n"),
    (DisableRls(table="public.t", keep_enabled=True), "alter table public.t no force row level security;\n"),
    (
        AlterPolicy(table="public.plans", policy=Policy("select_plans", "select", ("authenticated", "service_role"), using="max_tickets <> 0")),
        "alter policy select_plans\n  on public.plans\n  to authenticated, service_role\n  using (\n    max_tickets <> 0\n  );\n",
    ),
    (
        CreateTrigger(table="public.t", trigger=Trigger("touch", "before", (TriggerEvent("update"),), "app.touch"), replace=True),
        "create or replace trigger touch\n  before update on public.t\n  for each row\n  execute function app.touch();\n",
    ),
    (
        UpdateRows(rows=Rows("public.plans", ("variant_id",), ("variant_id", "name", "max_tickets"), (("pro", "Pro", "-1"), ("x", "It's", None)))),
        "update public.plans set name = 'Pro', max_tickets = '-1' where variant_id = 'pro';\nupdate public.plans set name = 'It''s', max_tickets = null where variant_id = 'x';\n",
    ),
]


@pytest.mark.parametrize("op, expected", CASES, ids=[type(op).__name__ + str(i) for i, (op, _) in enumerate(CASES)])
def test_render(op, expected):
    assert render_op(op) == expected


def test_body_containing_dollars_gets_another_tag():
    op = CreateFunction(function=Function("public", "f", (), "text", "\nselect '$$';\n", "sql"))
    assert "as $body$\nselect '$$';\n$body$;" in render_op(op)


@pytest.mark.parametrize("name, quoted", [("tickets", "tickets"), ("order", '"order"'), ("user", '"user"'), ("Mixed", '"Mixed"'), ("interval", '"interval"')])
def test_ident(name, quoted):
    assert ident(name) == quoted


def test_migration_puts_enum_values_in_a_committed_segment_first():
    text = render_migration([CreateEnum(enum=Enum("public", "e", ("a",))), AddEnumValue(enum="public.x", value="v")], "m")
    auto = text.index("-- tickets-db: autocommit")
    assert auto < text.index("add value") < text.index("-- tickets-db: transaction") < text.index("create type")


def test_an_expression_is_indented_between_tokens_only():
    """A line break or form feed inside a quoted name or string stays as written."""
    from tickets_db.model import Policy

    op = CreatePolicy(table="public.t", policy=Policy("p", "select", ("public",), True, '"a\x0cb" <> \'x\ny\'\nand true'))
    text = render_op(op)
    assert '"a\x0cb" <> \'x\ny\'\n    and true' in text


def test_a_comment_on_a_column_whose_names_hold_dots():
    from tickets_db.kinds.common import Comment

    text = render_op(Comment(target_kind="column", target="app.a.b", column="c.d", text="x"))
    assert text == 'comment on column app."a.b"."c.d" is \'x\';\n'
