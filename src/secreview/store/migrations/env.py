"""Alembic environment for the results store: run programmatically by secreview.store (connection given)."""

from alembic import context

from secreview.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
