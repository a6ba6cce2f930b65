"""Backups: pg_dump's custom format for PostgreSQL, SQLite's online backup API for the default.

Both take a consistent snapshot while the site is in use: pg_dump reads in one repeatable-read
transaction; SQLite's backup API copies the pages of one committed state (WAL mode lets writers
carry on). Restores replace the whole database: pg_restore --clean in a single transaction, or the
SQLite file rewritten page by page through the backup API under a write lock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

SQLITE = "django.db.backends.sqlite3"
POSTGRES = "django.db.backends.postgresql"


class BackupError(Exception):
    pass


def vendor(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine == SQLITE:
        return "sqlite"
    if engine in (POSTGRES, "django.db.backends.postgresql_psycopg2"):
        return "postgresql"
    raise BackupError(f"Backups are not supported for {engine}.")


def default_suffix(settings_dict: dict) -> str:
    return ".sqlite3" if vendor(settings_dict) == "sqlite" else ".dump"


def pg_tools_missing() -> list[str]:
    return [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]


def _pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        # The environment, not the command line: `ps` shows arguments to everyone.
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def backup_database(settings_dict: dict, path: str | os.PathLike) -> Path:
    """Write a consistent copy of the database to `path` (written aside, then moved in place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if vendor(settings_dict) == "sqlite":
        source = sqlite3.connect(str(settings_dict["NAME"]), timeout=30)
        target = sqlite3.connect(str(partial))
        try:
            source.backup(target)  # all pages in one step: one committed state
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"The backup failed its integrity check: {check}")
        finally:
            target.close()
            source.close()
    else:
        missing = pg_tools_missing()
        if missing:
            raise BackupError(f"Install the PostgreSQL client tools: {', '.join(missing)}")
        args, env = _pg_env(settings_dict)
        _run(
            ["pg_dump", "--format=custom", *args, "--file", str(partial), settings_dict["NAME"]],
            env,
        )
    os.chmod(partial, 0o600)  # it holds personal data
    os.replace(partial, path)
    return path


def restore_database(settings_dict: dict, path: str | os.PathLike) -> None:
    """Replace the database's contents with the backup at `path`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}")
    if vendor(settings_dict) == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(str(settings_dict["NAME"]), timeout=30)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is not a sound SQLite backup.")
            source.backup(target)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is not a SQLite backup: {exc}") from exc
        finally:
            target.close()
            source.close()
    else:
        missing = pg_tools_missing()
        if missing:
            raise BackupError(f"Install the PostgreSQL client tools: {', '.join(missing)}")
        args, env = _pg_env(settings_dict)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                "--dbname",
                settings_dict["NAME"],
                str(path),
            ],
            env,
        )
