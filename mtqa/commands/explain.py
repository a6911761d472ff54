"""``mtqa explain CHECK``: one check's documentation (its module's notes), categories, severity, settings."""

from __future__ import annotations

import inspect

import click

from mtqa.errors import MtqaError


@click.command("explain")
@click.argument("name")
def command(name: str) -> None:
    """Print the documentation of the check NAME (`mtqa checks` lists the names)."""
    from mtqa.checks import all_checks

    checks = all_checks()
    info = checks.get(name)
    if info is None:
        raise MtqaError(f"unknown check {name!r} (known: {', '.join(sorted(checks))})")
    lines = [
        f"{info.name} — {info.description}",
        "",
        f"categories: {', '.join(info.categories)}",
        f"default severity: {info.severity or 'depends on the finding'}",
        f"runs by default: {'yes' if info.default_enabled else 'no (enable = [' + repr(info.name) + '])'}",
    ]
    if info.settings:
        lines.append(f"settings ([settings.{info.name}] in mtqa.toml):")
        lines += [f"  {s.name} = {s.default!r}: {s.help}" for s in info.settings]
    module = inspect.getmodule(info.function)
    if module is not None and module.__doc__:
        lines += ["", inspect.cleandoc(module.__doc__)]
    click.echo("\n".join(lines))
