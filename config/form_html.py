"""Form markup written in Python: the hot path of `KernFormRenderer` (config/forms.py).

Rendering a form through templates costs a template render per field, per widget and per
choice of a select; the catalogue's filter form (nine fields, some with a dozen options) took
about a third of a search page's time that way. These functions produce the same markup as
the templates they stand in for — Django's widget templates and templates/forms/field.html,
which stay the reference — and tests/config/test_form_html.py renders every kind of field
both ways and compares the HTML. A template that a project overrides (a name not in
`WIDGETS`, or a field with its own `template_name`) still renders through the template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def _e(value: Any) -> str:
    return conditional_escape(value)


def attrs_html(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_e(name)}" if value is True else f' {_e(name)}="{_e(value)}"')
    return "".join(parts)


def input_html(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/input.html (text, number, checkbox, hidden … and one radio/checkbox)."""
    value = "" if widget["value"] is None else f' value="{_e(widget["value"])}"'
    return f'<input type="{_e(widget["type"])}" name="{_e(widget["name"])}"{value}{attrs_html(widget["attrs"])}>'


def input_option_html(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/input_option.html: one option of a radio or checkbox list."""
    html = input_html(widget)
    if not widget.get("wrap_label"):
        return html
    target = widget["attrs"].get("id")
    label_for = f' for="{_e(target)}"' if target else ""
    return f"<label{label_for}>{html} {_e(widget['label'])}</label>"


def select_option_html(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/select_option.html."""
    return f'<option value="{_e(widget["value"])}"{attrs_html(widget["attrs"])}>{_e(widget["label"])}</option>'


def _option_html(option: Mapping[str, Any]) -> str:
    render = OPTIONS.get(option["template_name"])
    if render is None:
        raise _NoFastPath(option["template_name"])
    return render(option)


def select_html(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/select.html."""
    parts = [f'<select name="{_e(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_e(group_name)}">')
        for option in group_choices:
            parts.append("\n  " + _option_html(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def simple_select_html(widget: Mapping[str, Any]) -> str:
    """templates/programs/widgets/select.html: a select whose options carry only `selected`."""
    parts = [f'<select name="{_e(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for _group, group_choices, _index in widget["optgroups"]:
        for option in group_choices:
            selected = " selected" if option["selected"] else ""
            parts.append(f'\n  <option value="{_e(option["value"])}"{selected}>{_e(option["label"])}</option>')
    parts.append("\n</select>")
    return "".join(parts)


def multiple_input_html(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/multiple_input.html (RadioSelect, CheckboxSelectMultiple)."""
    own_id = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    parts = [f"<div{f' id="{_e(own_id)}"' if own_id else ''}{f' class="{_e(css)}"' if css else ''}>"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_e(group)}</label>")
        for option in options:
            parts.append("<div>\n    " + _option_html(option) + "</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def textarea_html(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = _e(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_e(widget["name"])}"{attrs_html(widget["attrs"])}>\n{value}</textarea>'


_W = "django/forms/widgets/"
_INPUTS = ("input", "text", "number", "email", "password", "hidden", "date", "datetime", "time", "url",
           "tel", "search", "color", "checkbox")  # fmt: skip

#: Option templates (one choice of a select or of a radio/checkbox list).
OPTIONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    f"{_W}select_option.html": select_option_html,
    f"{_W}radio_option.html": input_option_html,
    f"{_W}checkbox_option.html": input_option_html,
    f"{_W}input_option.html": input_option_html,
    # the catalogue's choice lists: one input without a wrapping label
    "programs/widgets/check_option.html": input_html,
}

#: Widget templates rendered in Python (template name → function of the widget context).
WIDGETS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"{_W}{name}.html": input_html for name in _INPUTS},
    f"{_W}select.html": select_html,
    "programs/widgets/select.html": simple_select_html,
    f"{_W}radio.html": multiple_input_html,
    f"{_W}checkbox_select.html": multiple_input_html,
    f"{_W}multiple_input.html": multiple_input_html,
    f"{_W}textarea.html": textarea_html,
    **OPTIONS,
}


class _NoFastPath(Exception):
    """An option template without a Python version: render the whole widget by template."""


def render_widget(template_name: str, context: Mapping[str, Any]) -> SafeString | None:
    """The widget's HTML, or None when the template has no Python version."""
    render = WIDGETS.get(template_name)
    if render is None:
        return None
    try:
        return mark_safe(render(context["widget"]))
    except _NoFastPath:
        return None


# --- one form field in KERN markup (templates/forms/field.html) ------------------------------


def _hint(field) -> str:
    if not field.help_text:
        return ""
    ident = f' id="{_e(field.auto_id)}_helptext"' if field.auto_id else ""
    return f'<div class="kern-hint"{ident}>{field.help_text}</div>'


def _errors(field) -> str:
    errors = field.errors
    if not errors:
        return ""
    ident = f' id="{_e(field.auto_id)}_error"' if field.auto_id else ""
    prefix = f'<p><span class="kern-sr-only">{_e(gettext("Fehler:"))} </span>'
    items = "".join(f"{prefix}{_e(error)}</p>" for error in errors)
    return (
        f'<div class="kern-error"{ident}>\n    <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>\n'
        f"    <div>{items}</div>\n  </div>"
    )


def _optional(field) -> str:
    if field.field.required:
        return ""
    return f' <span class="kern-label__optional">{_e(gettext("(optional)"))}</span>'


def field_html(field) -> SafeString:
    """templates/forms/field.html for a `KernBoundField` (label, hint, errors, control)."""
    kind = field.kern_kind
    error = bool(field.errors)
    hint, errors = _hint(field), _errors(field)
    if kind in ("choices", "multi"):
        described = field.aria_describedby
        parts = [
            f'\n<fieldset class="kern-fieldset{" kern-fieldset--error" if error else ""}"'
            f"{f' aria-describedby="{_e(described)}"' if described else ''}>\n  "
        ]
        if field.label:
            ident = f' id="{_e(field.auto_id)}_legend"' if field.auto_id else ""
            parts.append(f'<legend class="kern-label"{ident}>{_e(field.label)}{_optional(field)}</legend>')
        parts.append(f'\n  {hint}\n  {errors}\n  <div class="kern-fieldset__body">\n  ')
        if kind == "choices":
            for option in field:
                parts.append(
                    f'\n    <div class="kern-form-check">\n      {option.tag()}\n      <label class="kern-label" '
                    f'for="{_e(option.id_for_label)}">{_e(option.choice_label)}</label>\n    </div>\n    '
                )
        else:
            parts.append(f"\n    {field}\n  ")
        parts.append("\n  </div>\n</fieldset>\n")
    elif kind == "checkbox":
        parts = [
            f'\n<div class="kern-form-check{" kern-form-check--error" if error else ""}">\n  {field}\n  '
            f'<label class="kern-label" for="{_e(field.id_for_label)}">{_e(field.label)}</label>\n  '
            f"{hint}\n  {errors}\n</div>\n"
        ]
    else:
        label = ""
        if field.label:
            label = (
                f'<label class="kern-label" for="{_e(field.id_for_label)}">{_e(field.label)}{_optional(field)}</label>'
            )
        control = f'<div class="kern-form-input__select-wrapper">{field}</div>' if kind == "select" else str(field)
        parts = [
            f'\n<div class="kern-form-input{" kern-form-input--error" if error else ""}">\n  {label}\n  '
            f"{hint}\n  {errors}\n  {control}\n</div>\n"
        ]
    return mark_safe("".join(parts))
