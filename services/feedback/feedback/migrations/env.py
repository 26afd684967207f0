"""Alembic environment: the connection comes from `flask db upgrade` (feedback.db.upgrade)."""

from alembic import context

from feedback.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
