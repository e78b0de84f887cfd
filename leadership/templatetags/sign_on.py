"""The sign-in page's single sign-on buttons: one per district provider that is switched on."""

from django import template

from leadership.sso import active_providers

register = template.Library()


@register.inclusion_tag("leadership/includes/sign_on_buttons.html", takes_context=True)
def sign_on_buttons(context):
    providers = sorted(active_providers(), key=lambda p: (p.district.name, p.label))
    return {"providers": providers, "csrf_token": context.get("csrf_token")}
