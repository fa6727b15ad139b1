"""What the portal's menu (templates/site_header.html) offers a user, asked of programmes.access.

The answers reuse what access caches on the user object for the request (the role, the
territory), so a page that already scoped its records asks the database nothing more.
"""

from django import template

from .. import access

register = template.Library()


@register.filter
def may_import(user) -> bool:
    """Whether `user` imports Excel workbooks (access.may_import)."""
    return access.may_import(user)
