"""Form rendering with KERN UX markup.

`KernFormRenderer` (settings.FORM_RENDERER) renders `{{ form }}` through
templates/forms/div.html and `{{ field.as_field_group }}` through templates/forms/field.html.

Widgets get their KERN classes from `KernBoundField.build_widget_attrs`, so `{{ field }}`
(and every radio/checkbox of a choice list) carries them without per-form widget attrs and
without overriding Django's widget templates. Django itself adds `aria-invalid="true"` and
`aria-describedby="<id>_helptext <id>_error"`; the field template uses exactly these ids.
"""

from __future__ import annotations

from typing import Any

from django.forms import widgets
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.template.exceptions import TemplateDoesNotExist

from config.form_html import field_html, render_widget

#: Values of `KernBoundField.kern_kind`, which picks the markup in forms/field.html.
KIND_INPUT = "input"  # text-like inputs, textarea, file, date ...
KIND_SELECT = "select"
KIND_SELECT_MULTIPLE = "select-multiple"
KIND_CHECKBOX = "checkbox"  # a single checkbox (BooleanField)
KIND_CHOICES = "choices"  # RadioSelect / CheckboxSelectMultiple: a fieldset of options
KIND_MULTI = "multi"  # MultiWidget (e.g. SplitDateTimeWidget): a fieldset of inputs


def kern_kind(widget: widgets.Widget) -> str:
    # Order matters: CheckboxSelectMultiple subclasses RadioSelect, which subclasses
    # ChoiceWidget like Select does.
    if isinstance(widget, widgets.RadioSelect):
        return KIND_CHOICES
    if isinstance(widget, widgets.CheckboxInput):
        return KIND_CHECKBOX
    if isinstance(widget, widgets.MultiWidget):
        return KIND_MULTI
    if isinstance(widget, widgets.Select):
        return KIND_SELECT_MULTIPLE if widget.allow_multiple_selected else KIND_SELECT
    return KIND_INPUT


def kern_widget_classes(widget: widgets.Widget, *, invalid: bool) -> list[str]:
    """The KERN classes for the form control(s) a widget renders."""
    kind = kern_kind(widget)
    if kind == KIND_CHOICES:
        base = "kern-form-check__checkbox" if widget.allow_multiple_selected else "kern-form-check__radio"
    elif kind == KIND_CHECKBOX:
        base = "kern-form-check__checkbox"
    elif kind == KIND_SELECT:
        base = "kern-form-input__select"
    else:  # input, select-multiple, the inputs of a MultiWidget
        base = "kern-form-input__input"
    return [base, f"{base}--error"] if invalid else [base]


class KernBoundField(BoundField):
    """A BoundField that adds KERN classes to its widget and tells the template its kind."""

    @property
    def kern_kind(self) -> str:
        return kern_kind(self.field.widget)

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to: the field's first focusable control."""
        if self.kern_kind == KIND_CHOICES:
            # RadioSelect.id_for_label() names the (unrendered) wrapper; link the first option.
            options = self.subwidgets
            if options:
                return options[0].id_for_label
        return self.id_for_label or self.auto_id or ""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: widgets.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        # Widget.build_attrs() lets these attrs override widget.attrs, so start from the
        # classes a form author put on the widget and append ours.
        classes = (attrs.get("class") or widget.attrs.get("class") or "").split()
        for css_class in kern_widget_classes(widget, invalid=bool(self.errors)):
            if css_class not in classes:
                classes.append(css_class)
        attrs["class"] = " ".join(classes)
        if isinstance(widget, widgets.MultiWidget) and self.auto_id and not _labels_own_parts(widget):
            # The parts of a MultiWidget have no <label>; name them by the fieldset legend
            # (forms/field.html gives it this id). Set aria-label on the sub-widgets to name
            # the parts individually instead ("Datum", "Uhrzeit").
            attrs.setdefault("aria-labelledby", f"{self.auto_id}_legend")
        return attrs


def _labels_own_parts(widget: widgets.MultiWidget) -> bool:
    return any("aria-label" in w.attrs or "aria-labelledby" in w.attrs for w in widget.widgets)


class KernFormRenderer(TemplatesSetting):
    """Project form renderer: KERN templates, KERN widget classes (settings.FORM_RENDERER)."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
    bound_field_class = KernBoundField

    def render(self, template_name, context, request=None):
        # The hot path: the KERN field markup and Django's widgets in Python (config/form_html.py).
        if template_name == self.field_template_name and isinstance(context.get("field"), KernBoundField):
            return field_html(context["field"])
        if "widget" in context:
            html = render_widget(template_name, context)
            if html is not None:
                return html
        return super().render(template_name, context, request=request)

    def get_template(self, template_name: str):
        # TemplatesSetting finds Django's own widget templates only when "django.forms" is
        # in INSTALLED_APPS; fall back to the built-in form engine so a missing entry does
        # not break every form (templates/ still overrides any widget template).
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return _builtin_form_templates.get_template(template_name)


_builtin_form_templates = DjangoTemplates()
