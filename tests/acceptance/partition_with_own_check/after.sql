create schema app;
create table app.events (id bigint not null, kind text not null) partition by list (kind);
create table app.events_click partition of app.events (constraint click_positive check (id > 0)) for values in ('click');
create trigger x before insert on app.events_click for each row execute function suppress_redundant_updates_trigger();
