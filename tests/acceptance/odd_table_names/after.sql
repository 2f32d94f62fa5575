create schema "My App";
create table "My App"."Order" (id bigint primary key, "select" text, "Weird ""Quote""" text, "ünï" text, "semi;colon" text, "*/" text);
create index "Order idx $$" on "My App"."Order" ("select");
create view "My App"."a view" as select id, "select" from "My App"."Order";
