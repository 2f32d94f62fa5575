create schema app;
