"""The form's widgets: sections per group, one row per field, the toolbar, the status.

Building is kept apart from behaviour (:mod:`._form`): this module only creates and
arranges ipywidgets and wires each button to the form's public method of the same name.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from typing import Any, Final

import ipywidgets as w

from ..masking import mask_value
from ._fields import FIELDS, FORM_FIELDS, GROUPS, FormField
from ._parts import WidgetParts

__all__ = ["FormLayout"]

_MASKED_HINT: Final = "not set · Reveal to edit"  # shown by a masked, empty input


class FormLayout(WidgetParts):
    """Creates the form's widgets; :class:`~trustly_nb.CustomerForm` adds the behaviour.

    The behaviour it wires up (``preview``, ``submit``, ``reset``, ``reload``, ``_typed``,
    ``_on_reveal``) is the subclass's.
    """

    _texts: dict[str, str]
    _busy: bool
    revealed: bool

    def preview(self) -> Any:  # the subclass's
        raise NotImplementedError

    def submit(self) -> Any:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def reload(self) -> Any:
        raise NotImplementedError

    def _submit_clicked(self) -> None:
        raise NotImplementedError

    def _typed(self, name: str, change: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def _build(self) -> None:
        self._inputs: dict[str, Any] = {}
        self._notes: dict[str, Any] = {}
        sections = [self._section(title, map(self._row, specs)) for title, specs in GROUPS]
        self._record = self._make(w.HTML, "tnb-record")
        sections.append(self._section("Set by Trustly (read-only)", [self._record]))
        columns = "repeat(2, minmax(0, 1fr))"
        grid = self._make(
            w.GridBox, children=sections, layout=w.Layout(grid_template_columns=columns)
        )
        self._title = self._make(w.HTML, "tnb-title")
        self._preview_button = self._button("preview", "Preview", "eye", "Show what would change")
        self._submit_button = self._button("submit", "Submit", "check", "Send the changes")
        self._submit_button.button_style = "primary"
        self._reset_button = self._button("reset", "Reset", "undo", "Back to the loaded values")
        self._reload_button = self._button(
            "reload", "Reload (keep my edits)", "refresh", "Load the current version"
        )
        self._reload_button.button_style = "warning"
        self._reload_button.layout.display = "none"  # offered after a conflict only
        self._reveal_button = self._make(
            w.ToggleButton,
            "tnb-reveal",
            description="Reveal",
            icon="lock",
            tooltip="Show identity numbers in full",
            layout=w.Layout(width="auto"),
        )
        self._summary = self._make(w.HTML, "tnb-summary")
        self._preview_button.on_click(lambda _: self.preview())
        self._submit_button.on_click(lambda _: self._submit_clicked())
        self._reset_button.on_click(lambda _: self.reset())
        self._reload_button.on_click(lambda _: self.reload())
        self._reveal_button.observe(self._on_reveal, names="value")
        controls = [self._preview_button, self._submit_button, self._reset_button]
        controls += [self._reveal_button, self._reload_button, self._summary]
        toolbar = self._make(w.HBox, "tnb-toolbar", children=controls)
        self._status_html = self._make(w.HTML, "tnb-status")
        self._output = self._make(w.HTML, "tnb-output")
        self._root = self._make(
            w.VBox,
            "tnb-form",
            children=[self._title, grid, toolbar, self._status_html, self._output],
            layout=w.Layout(max_width="1100px"),
        )

    def _section(self, title: str, rows: Any) -> Any:
        heading = self._make(w.HTML, value=f"<b>{html.escape(title)}</b>")
        layout = w.Layout(border="1px solid #d1d5db", padding="0 8px 4px", margin="2px")
        return self._make(w.VBox, "tnb-section", children=[heading, *rows], layout=layout)

    def _button(self, name: str, label: str, icon: str, tip: str) -> Any:
        layout = w.Layout(width="auto")
        return self._make(
            w.Button, f"tnb-{name}", description=label, icon=icon, tooltip=tip, layout=layout
        )

    def _row(self, spec: FormField) -> Any:
        slug = spec.name.replace(".", "-")
        wide = spec.kind == "json"  # the JSON editor takes the whole width, its note goes below
        box = self._make(
            w.Textarea if wide else w.Text,
            f"tnb-field-{slug}",
            description=spec.label + (" *" if spec.required else ""),
            placeholder=spec.placeholder,
            tooltip=spec.name,
            continuous_update=True,  # check as the user types, not on blur
            style={"description_width": "9em"},
            layout=w.Layout(width="100%", height="9em") if wide else w.Layout(width="64%"),
        )
        box.observe(functools.partial(self._typed, spec.name), names="value")
        note = self._make(
            w.HTML, f"tnb-note-{slug}", layout=w.Layout(width="auto" if wide else "36%")
        )
        self._inputs[spec.name], self._notes[spec.name] = box, note
        row = w.VBox if wide else w.HBox
        return self._make(row, children=[box, note], layout=w.Layout(width="100%"))

    # --- what each input shows ---------------------------------------------------------

    def _show(self, name: str) -> None:
        spec, box = FIELDS[name], self._inputs[name]
        masked = spec.sensitive and not self.revealed
        with self._quietly():
            box.value = mask_value(self._texts[name]) if masked else self._texts[name]
        box.placeholder = _MASKED_HINT if masked else spec.placeholder
        # A masked input cannot be typed into, so its mask can never be sent.
        box.disabled = self._busy or masked

    def _show_all(self) -> None:
        for spec in FORM_FIELDS:
            self._show(spec.name)

    def _on_reveal(self, change: Mapping[str, Any]) -> None:
        shown = bool(change["new"])
        self._reveal_button.description = "Hide" if shown else "Reveal"
        self._reveal_button.icon = "unlock" if shown else "lock"
        for spec in FORM_FIELDS:
            if spec.sensitive:
                self._show(spec.name)
