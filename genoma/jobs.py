"""The job queue's embedded backend: Huey's SQLite queue, made when first used."""

import huey
from huey.storage import SqliteStorage


class LazySqliteStorage(SqliteStorage):
    """Huey's SQLite storage with its tables created by the first connection instead of
    when Django starts: a process that never queues a job never opens the file, and a
    site whose database folder is missing still starts (and `/healthz` says 503)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, create_tables=False, **kwargs)

    def _create_connection(self):
        connection = super()._create_connection()
        for statement in self.ddl:  # "create … if not exists": harmless when they exist
            connection.execute(statement)
        return connection


class SqliteHuey(huey.Huey):
    storage_class = LazySqliteStorage
