"""The answer form's widgets, written out in Python to the letter of Django's own templates.

A survey's answer page shows every question's control; through Django's widget templates
(input.html, textarea.html, select.html, multiple_input.html, input_option.html and
attrs.html, included once per option) rendering them was the page's main cost. These
widgets give the same HTML, byte for byte (tests/voice/test_views.py compares them with
Django's), without the template engine. Grouped choices, which the answer form never has,
still go through the templates."""

from __future__ import annotations

from html import escape  # what Django's escape() calls, without its lazy-string wrapper

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

_LABEL_PUNCTUATION = ":?.!"


def _attr_value(value) -> str:
    """As attrs.html writes a value, {{ value|stringformat:'s' }}: safe text as it is,
    anything else escaped."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _text(value) -> str:
    """As a template writes {{ value }}: safe text as it is, anything else escaped."""
    return escape(value) if type(value) is str else conditional_escape(value)


def attrs_html(attrs: dict) -> str:
    """attrs.html: ` name="value"` for each attribute, ` name` alone for True, nothing for
    False."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {_text(name)}")
        elif value is not False:
            parts.append(f' {_text(name)}="{_attr_value(value)}"')
    return "".join(parts)


def label_tag(bound_field) -> str:
    """bound_field.label_tag(), as label.html writes it: the label with the form's suffix
    (unless it ends in punctuation), for the control's id."""
    field, form = bound_field.field, bound_field.form
    if field.required and hasattr(form, "required_css_class"):
        return bound_field.label_tag()
    contents = bound_field.label
    suffix = field.label_suffix if field.label_suffix is not None else form.label_suffix
    # The punctuation Django's translators name in `_(":?.!")`, in the active language (from
    # Django's own catalogue: named, not written, so that makemessages leaves it there).
    if suffix and contents and contents[-1] not in gettext(_LABEL_PUNCTUATION):
        contents = format_html("{}{}", contents, suffix)
    id_ = field.widget.attrs.get("id") or bound_field.auto_id
    if not id_:
        return mark_safe(_text(contents))  # noqa: S308 (escaped)
    for_id = field.widget.id_for_label(id_)
    attrs = f' for="{_attr_value(for_id)}"' if for_id else ""
    return mark_safe(f"<label{attrs}>{_text(contents)}</label>")  # noqa: S308


def _grouped(choices) -> bool:
    return any(isinstance(label, (list, tuple)) for _value, label in choices)


class _InputInPython:
    """input.html."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        html = f'<input type="{_attr_value(self.input_type)}" name="{_text(name)}"'
        if value is not None:
            html += f' value="{_attr_value(value)}"'
        html += attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(html + ">")  # noqa: S308 (every value put in is escaped)


class TextInput(_InputInPython, forms.TextInput):
    pass


class NumberInput(_InputInPython, forms.NumberInput):
    pass


class Textarea(forms.Textarea):
    """textarea.html."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        attrs = attrs_html(self.build_attrs(self.attrs, attrs))
        text = _text(value) if value else ""
        return mark_safe(  # noqa: S308 (every value put in is escaped)
            f'<textarea name="{_text(name)}"{attrs}>\n{text}</textarea>'
        )


class Select(forms.Select):
    """select.html and select_option.html (one choice selected at most)."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or _grouped(choices):
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        html = [f'<select name="{_text(name)}"']
        html.append(attrs_html(self.build_attrs(self.attrs, attrs)))
        html.append(">")
        has_selected = False
        for option_value, option_label in choices:
            if option_value is None:
                option_value = ""
            selected = not has_selected and str(option_value) in chosen
            has_selected |= selected
            html.append(
                f'\n  <option value="{_attr_value(option_value)}"'
                f"{' selected' if selected else ''}>{_text(option_label)}</option>\n"
            )
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 (every value put in is escaped)


class _OptionsInPython:
    """multiple_input.html with input_option.html for each option: radio buttons or
    checkboxes, each inheriting the widget's attributes, its id numbered by its index."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if _grouped(choices):
            return super().render(name, value, attrs, renderer)
        own = self.build_attrs(self.attrs, attrs)
        chosen = self.format_value(value)
        outer_id = own.get("id")
        html = ["<div"]
        if outer_id:
            html.append(f' id="{_text(outer_id)}"')
        if own.get("class"):
            html.append(f' class="{_text(own["class"])}"')
        html.append(">")
        # Each option's attributes are the widget's, its id numbered and `checked` added when
        # chosen: written once, the id's place kept.
        before, after, has_id = own, {}, "id" in own
        if has_id:
            keys = list(own)
            at = keys.index("id")
            before = {k: own[k] for k in keys[:at]}
            after = {k: own[k] for k in keys[at + 1 :]}
        before_html, after_html = attrs_html(before), attrs_html(after)
        checked = "checked" in own
        start = f'<input type="{_attr_value(self.input_type)}" name="{_text(name)}"'
        has_selected = False
        for index, (option_value, option_label) in enumerate(choices):
            if option_value is None:
                option_value = ""
            selected = (not has_selected or self.allow_multiple_selected) and str(
                option_value
            ) in chosen
            has_selected |= selected
            option_id = self.id_for_label(outer_id, str(index)) if has_id else None
            # The option's id (a string "<id>_<index>"), as attrs.html and the label write it.
            id_text = _attr_value(option_id) if has_id else ""
            id_html = f' id="{id_text}"' if has_id else ""
            if selected and checked:
                # `checked` among the widget's own attributes: set true where it stands.
                option = {**own, "checked": True}
                if has_id:
                    option["id"] = option_id
                tail = attrs_html(option)
            else:
                tail = f"{before_html}{id_html}{after_html}{' checked' if selected else ''}"
            label_for = f' for="{id_text}"' if option_id else ""
            html.append(
                f"<div>\n    <label{label_for}>{start}"
                f' value="{_attr_value(option_value)}"{tail}>\n'
                f" {_text(option_label)}</label>\n\n</div>"
            )
        html.append("\n</div>")
        return mark_safe("".join(html))  # noqa: S308 (every value put in is escaped)


class RadioSelect(_OptionsInPython, forms.RadioSelect):
    pass


class CheckboxSelectMultiple(_OptionsInPython, forms.CheckboxSelectMultiple):
    pass
