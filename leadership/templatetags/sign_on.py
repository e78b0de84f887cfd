"""The sign-in page's single sign-on buttons: one per district provider that is switched on."""

from django import template

from leadership.sso import active_providers, origin_of

register = template.Library()


@register.inclusion_tag("leadership/includes/sign_on_buttons.html", takes_context=True)
def sign_on_buttons(context):
    providers = sorted(active_providers(), key=lambda p: (p.district.name, p.label))
    request = context.get("request")
    if request is not None and providers:
        request.sign_on_origins = {origin_of(provider) for provider in providers}
    return {"providers": providers, "csrf_token": context.get("csrf_token")}
