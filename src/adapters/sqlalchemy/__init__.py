"""Persistence on SQLAlchemy (async): the tables, the engine, the unit of work, migrations."""
