create schema app;
create table app.bookings (id int primary key, room int not null, during tstzrange not null, constraint no_overlap exclude using gist (during with &&) where (room <> 13));
