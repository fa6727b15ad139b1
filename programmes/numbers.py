"""Old import path of `common.numbers`, kept for the modules other branches are rewriting now
(programmes/demo.py, programmes/importer.py, the load_demo command). New code imports
`common.numbers`."""

from common.numbers import (
    NumberFormatError,
    format_billion_vnd,
    format_decimal,
    format_million_vnd,
    format_pct,
    format_vnd,
    group_digits,
    parse_whole_number,
    separators,
)

__all__ = [
    "NumberFormatError",
    "format_billion_vnd",
    "format_decimal",
    "format_million_vnd",
    "format_pct",
    "format_vnd",
    "group_digits",
    "parse_whole_number",
    "separators",
]
