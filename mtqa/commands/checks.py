"""``mtqa checks``: every registered check with its categories, default severity, whether it runs by default,
and the settings it reads from ``[settings.NAME]`` in the config file."""

from __future__ import annotations

import json

import click


def check_rows() -> list[dict]:
    from mtqa.checks import all_checks

    return [
        {
            "name": info.name,
            "enabled": info.default_enabled,
            "categories": list(info.categories),
            "severity": info.severity or "varies",
            "description": info.description,
            "settings": [{"name": s.name, "default": s.default, "help": s.help} for s in info.settings],
        }
        for info in sorted(all_checks().values(), key=lambda info: info.name)
    ]


@click.command("checks")
@click.option("-f", "--format", "output_format", type=click.Choice(["rich", "json"]), default="rich",
              show_default=True, help="A table, or JSON for scripts.")
def command(output_format: str) -> None:
    """List every check: category, default severity, settings (`mtqa explain CHECK` for one in full)."""
    rows = check_rows()
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for column in ("check", "default", "categories", "severity", "settings"):
        table.add_column(column, overflow="fold")
    for row in rows:
        settings = ", ".join(f"{s['name']}={s['default']!r}" for s in row["settings"])
        table.add_row(row["name"], "on" if row["enabled"] else "off (enable = [...])",
                      ", ".join(row["categories"]), row["severity"], settings)
    Console().print(table)
