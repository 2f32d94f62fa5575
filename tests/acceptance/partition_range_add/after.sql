create schema app;
create table app.events (id bigint not null, created_at timestamptz not null, body text, primary key (id, created_at)) partition by range (created_at);
create index events_created on app.events (created_at);
create table app.events_2024 partition of app.events for values from ('2024-01-01') to ('2025-01-01');
create table app.events_2025 partition of app.events for values from ('2025-01-01') to ('2026-01-01');
create table app.events_other partition of app.events default;
alter table app.events enable row level security;
alter table app.events_2024 enable row level security;
