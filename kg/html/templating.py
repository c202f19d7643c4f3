"""The Jinja2 environment shared by the web pages and ``dmkg docs``: templates, filters.

Templates live in ``kg/html/templates`` and the stylesheet and script in ``kg/html/static``;
both ship inside the wheel with the package.

>>> env = environment()
>>> env.filters["number"](0.123456)
'0.1235'
>>> env.filters["number"](15)
'15'
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

__all__ = ["STATIC_DIR", "TEMPLATE_DIR", "environment"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _number(value: Any) -> str:
    """Show numbers as people read them: integers whole, other numbers to 4 digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral() else float(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    return str(value)


def _plural(word: str, n: int = 2) -> str:
    """English plural of the last word, for counts (class -> classes, property -> properties).

    >>> _plural("object property"), _plural("class"), _plural("patient", 1)
    ('object properties', 'classes', 'patient')
    """
    if n == 1:
        return word
    if word.endswith("y"):
        return word[:-1] + "ies"
    if word.endswith("s"):
        return word + "es"
    return word + "s"


def environment() -> Environment:
    """A Jinja2 environment over the package's templates, HTML-escaping everything."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = _number
    env.filters["plural"] = _plural
    return env
