create schema app;
create table app.events (id bigint not null, created_at timestamptz not null) partition by range (created_at);
create table app.events_2024 partition of app.events for values from ('2024-01-01') to ('2024-07-01');
create table app.events_2025 partition of app.events for values from ('2025-01-01') to ('2026-01-01');
