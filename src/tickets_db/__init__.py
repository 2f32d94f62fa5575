"""tickets-db: declarative PostgreSQL schemas in YAML → migrations, resets, seeds."""
__version__ = "0.1.0"
