from django import template

register = template.Library()


@register.simple_tag
def sort_link(query, key: str) -> str:
    """The query string that sorts the dashboard by this column, keeping the filters."""
    return query.sort_link(key)


@register.simple_tag
def page_link(query, number: int) -> str:
    return query.querystring(page=number)
