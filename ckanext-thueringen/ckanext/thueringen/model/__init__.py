"""SQLAlchemy tables of the portal's own database tables (created by the migrations in migration/)."""
