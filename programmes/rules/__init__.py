"""The programme's rules as plain data and pure functions: no Django, no ORM, no database.

`progress` is the arithmetic of docs/design.md §4; `lifecycle` the statuses of a project, the
steps between them and what each step needs; `activity` when money and outputs may be dated.
Models, services, the importer and the benchmark generator import these, so each rule is
written once; the callers turn a rule's answer (a code, a list) into a message in the user's
language. The `rules` contract of `[tool.importlinter]` keeps Django out of here.
"""
