"""Operations that domain apps' migrations use. Kept stable: old migrations import them."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def take_over_settings(model: str, fields: list[str]) -> migrations.RunPython:
    """Copy the values an administrator saved in the platform's one reminder-settings row (before
    each app kept its own) into `model` ("app_label.ModelName"). Runs before the platform's
    migration that drops those columns; nothing to copy on a new database."""

    def forward(apps: Any, schema_editor: Any) -> None:
        saved = apps.get_model("portal", "ReminderSettings").objects.filter(pk=1)
        values = saved.values(*fields).first()
        if values is not None:
            apps.get_model(*model.split(".")).objects.update_or_create(pk=1, defaults=values)

    return migrations.RunPython(forward, migrations.RunPython.noop)


def postgresql_only(forward: list[str], backward: list[str]) -> migrations.RunPython:
    """SQL that only PostgreSQL has (an extension, a trigram index, planner statistics): run
    there, and nothing on SQLite (the quick start and the default tests)."""

    def run(statements: list[str]) -> Any:
        def operation(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run(forward), run(backward))
