create schema app;
create extension btree_gist schema public;
create table app.bookings (id int primary key, room int not null, during tstzrange not null, constraint room_free exclude using gist (room with =, during with &&));
