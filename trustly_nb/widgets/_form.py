"""CustomerForm: correct one customer in an ipywidgets form, in JupyterLab or from code.

The form loads the customer, shows an input for every editable documented field (from
the model, see the field specs in this folder), checks the inputs as the user types
(the API's rules as errors, the soft checks as warnings), and sends only what changed,
through the same get → merge → post as ``client.update_customer``, refusing stale
writes. Neither a button nor :meth:`CustomerForm.submit` raises: failures are shown in
the form and in :attr:`CustomerForm.status`, and the user's edits are kept.

Only this folder imports ipywidgets; ``import trustly_nb`` does not.

Example:
    >>> form = tnb.CustomerForm(client, "1001165729")
    >>> form                                   # the last expression of a cell shows it
    >>> form.set(email="ada@example.org", **{"address.city": "Austin"})
    >>> form.preview()                         # field, before, after; sends nothing
    >>> form.submit()                          # the updated Customer, or None
    >>> form.status
    'Saved: customer 1001165729 updated (address.city, email).'
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..changes import UpdatePlan, lookup
from ..errors import ConflictError
from ..models import Customer
from ..timestamps import format_epoch_ms
from ._checks import Check, check_inputs
from ._fields import FORM_FIELDS
from ._form_reports import FormReports
from ._html import count, diff_html, listing, note_html, record_html
from ._texts import shown_values, texts_for, to_text

if TYPE_CHECKING:
    import pandas as pd

    from ..client import Client

__all__ = ["CustomerForm"]


class CustomerForm(FormReports):
    """An ipywidgets form that edits one customer; it displays itself in JupyterLab.

    Sections follow the model: identity, contact, address, identity documents, merchant
    data and ``customData`` (editable JSON). ``customerId``, ``createdAt``, ``updatedAt``
    and fields the schema does not list are shown read-only; the latter are kept on
    submit. Identity numbers are masked until **Reveal** is toggled, and a masked value
    is never sent. **Preview** shows the before/after diff; **Submit** sends the changes,
    buttons disabled while it is in flight; **Reset** returns to the loaded values. If
    the customer changed since the form loaded it, Submit is refused and **Reload (keep
    my edits)** loads the current version with the edits on top.

    Inputs carry CSS classes for scripts and tests: ``tnb-field-email``,
    ``tnb-field-address-city``, buttons ``tnb-preview``, ``tnb-submit``, ``tnb-reset``,
    ``tnb-reload``, ``tnb-reveal``, and ``tnb-status`` / ``tnb-output`` for messages.

    Args:
        client: the :class:`~trustly_nb.Client` to use (``tnb.connect(...)`` gives one).
        customer_id: the customer's Trustly id.

    Raises:
        TrustlyError: the customer could not be loaded (e.g. ``NotFoundError``): a form
            needs a customer to edit.

    Example:
        >>> form = client.form("1001165729")        # or tnb.CustomerForm(client, ...)
        >>> form.values["address"]["city"]
        'Boston'
        >>> form.set(**{"address.zip": "123"})
        >>> form.errors
        {'address.zip': "must be at least 5 character(s), got '123'"}
    """

    def __init__(self, client: Client, customer_id: str | int) -> None:
        self.client = client
        """The client the form reads and writes with."""
        self.customer_id = str(customer_id).strip()
        """The id of the customer being edited."""
        customer = client.get_customer(self.customer_id)
        super().__init__()
        self._busy = False
        self._confirming = False  # the Submit button asked "Submit anyway" once
        self._remote: dict[str, str] = {}  # per-field errors Trustly named on the last submit
        self._build()
        self._load(customer)
        where = f"Fix before any update: {listing(self._check.errors)}."
        ready = "Edit the fields, then Preview and Submit."
        self._say("info", f"Loaded customer {self.customer_id}. {where if self.errors else ready}")

    # --- the programmatic face --------------------------------------------------------

    @property
    def values(self) -> dict[str, Any]:
        """Every editable field as the form holds it, in the API's nested camelCase shape.

        ``None`` where unset; ``enrollDate`` as epoch ms and ``customData`` as a dict
        when their text reads as one (else the text, and :attr:`errors` says why).
        Identity numbers are masked unless :attr:`revealed`.

        Example:
            >>> form.values["taxId"], form.values["driverLicense"]
            ('•••••••3456', {'number': '••••••3456', 'state': 'MA'})
        """
        return shown_values(self._texts, revealed=self.revealed)

    @property
    def status(self) -> str:
        """The message the form shows: what happened on load, preview, submit, reset."""
        return self._status

    @property
    def changed(self) -> list[str]:
        """The dotted fields whose inputs differ from the loaded customer."""
        return list(self._check.changes)

    @property
    def errors(self) -> dict[str, str]:
        """``{field: problem}``: the API's rules that stop Submit, and Trustly's answer."""
        return {**self._remote, **self._check.errors}

    @property
    def warnings(self) -> dict[str, str]:
        """``{field: warning}`` from the soft checks (odd phone, email, country...)."""
        return dict(self._check.warnings)

    @property
    def customer(self) -> Customer:
        """The customer as last loaded (or as the last successful submit returned it)."""
        return self._customer

    @property
    def revealed(self) -> bool:
        """Whether identity numbers are shown in full (the **Reveal** toggle)."""
        return bool(self._reveal_button.value)

    @revealed.setter
    def revealed(self, value: bool) -> None:
        self._reveal_button.value = bool(value)

    @property
    def widget(self) -> Any:
        """The root ``ipywidgets.VBox``, to place the form inside another layout."""
        return self._root

    def set(self, **fields: Any) -> None:
        """Fill inputs, as typing would; they are checked the same way.

        Names are the API's camelCase (snake_case accepted); nested fields as dotted
        names (``**{"address.city": "Austin"}``) or a dict (``address={"city": ...}``,
        merged; for ``customData`` merged into the JSON). ``None`` or ``CLEAR`` empties
        an input, which removes that field on Submit. A value that breaks a rule is not
        refused here: it shows as an error, like a typed one. Setting an identity number
        while masked works; the input keeps showing it masked.

        Raises:
            ValidationError: for names the form cannot set (unknown, read-only, or not in
                the schema: those are kept, not edited). Nothing is set then.

        Example:
            >>> form.set(email="ada@example.org", address={"city": "Austin"})
            >>> form.changed
            ['address.city', 'email']
        """
        texts = texts_for(fields, self._texts, self._loaded)
        self._texts.update(texts)
        for name in texts:
            self._remote.pop(name, None)
            self._show(name)
        self._refresh()
        self._inputs_changed()

    def preview(self) -> pd.DataFrame:
        """What Submit would change, shown in the form and returned. Sends nothing.

        Returns:
            ``customerId, field, before, after``, one row per changed field (identity
            numbers masked unless :attr:`revealed`); empty when nothing changes or the
            change cannot be built (:attr:`status` says why).
        """
        from ..frames import diff_customers

        check = self._refresh()
        self._output.value = ""
        if check.payload is None:
            self._say("error", f"Cannot preview: {listing(check.errors)}.")
            return diff_customers(self._customer, self._customer)
        plan = UpdatePlan(self.customer_id, self._customer, check.payload, check.changed)
        diff = diff_customers(plan.before, plan.after, mask=not self.revealed)
        if diff.empty:
            self._say("info", "Nothing to preview: every field has its loaded value.")
            return diff
        self._output.value = diff_html(diff, "Preview: what Submit would change")
        if check.errors:
            self._say("warning", f"Preview only; fix before Submit: {listing(check.errors)}.")
        else:
            self._say("info", f"Preview: {count(len(diff), 'field')} would change. Nothing sent.")
        return diff

    def submit(self) -> Customer | None:
        """Send the changes (get → merge → post), refusing a stale write. Never raises.

        Returns:
            The updated customer, which the form then shows; ``None`` when nothing was
            sent or sending failed: :attr:`status` and the form say why, edits kept.
        """
        if self._busy:
            self._say("warning", "An update is already in flight; wait for it to finish.")
            return None
        check = self._refresh()
        if check.errors:
            self._say("error", f"Not sent; fix first: {listing(check.errors)}.")
            return None
        if not check.changes:
            self._say("info", "Nothing to submit: every field has its loaded value.")
            return None
        before = self._customer
        self._output.value = ""
        self._say("info", f"Sending {count(len(check.changes), 'change')}…")
        with self._in_flight():
            try:
                plan = self.client.plan_update(
                    self.customer_id, check.changes, read_updated_at=before.updated_at
                )
                updated = self.client.send_update(plan) if plan.changed else plan.before
            except ConflictError as exc:
                self._conflicted(exc)
                return None
            except Exception as exc:  # the contract: submit() reports, it never raises
                self._failed(exc, "Not saved")
                return None
        self._load(updated)
        if not plan.changed:
            self._say("info", "Nothing sent: the customer already has these values.")
            return updated
        from ..frames import diff_customers

        diff = diff_customers(before, updated, mask=not self.revealed)
        self._output.value = diff_html(diff, f"Updated customer {self.customer_id}")
        fields = ", ".join(plan.changed)
        odd = {f: w for f, w in check.warnings.items() if f in check.changes}
        warned = f" Sent with warnings: {listing(odd)}." if odd else ""
        # A replay client that left its recording: say who answered (a button's print is
        # not shown in the notebook, so the form says it).
        left = self.client.source == "emulator" and self.client.environment != "custom"
        note = " Answered by the local emulator: your edit is not in the recording." * left
        self._say(
            "success", f"Saved: customer {self.customer_id} updated ({fields}).{warned}{note}"
        )
        return updated

    def reset(self) -> None:
        """Put every input back to the loaded value."""
        self._texts = dict(self._loaded_texts)
        self._remote.clear()
        self._show_all()
        self._refresh()
        self._output.value = ""
        self._say("info", "Reset: every field shows the loaded value again.")

    def reload(self, *, keep_edits: bool = True) -> Customer | None:
        """Load the customer again (e.g. after a conflict), keeping the edits on top.

        Returns:
            The customer as it is now, or ``None`` when it could not be read
            (:attr:`status` says why; the edits are kept). Never raises.
        """
        edits = {n: t for n, t in self._texts.items() if t != self._loaded_texts[n]}
        with self._in_flight():
            try:
                customer = self.client.get_customer(self.customer_id)
            except Exception as exc:  # a button's action: report, never raise
                self._failed(exc, "Not reloaded")
                return None
        self._load(customer, keep=edits if keep_edits else None)
        self._reload_button.layout.display = "none"
        self._output.value = ""
        kept = f"; your {count(len(edits), 'edit')} kept on top" if keep_edits and edits else ""
        stamp = format_epoch_ms(customer.updated_at) or "unknown"
        message = f"Reloaded customer {self.customer_id} (updatedAt {stamp}){kept}."
        self._say("info", f"{message} Preview, then Submit.")
        return customer

    def __repr__(self) -> str:
        return f"<CustomerForm customer_id={self.customer_id!r} changed={len(self._check.changes)}>"

    # --- loading ---------------------------------------------------------------------

    def _load(self, customer: Customer, keep: Mapping[str, str] | None = None) -> None:
        self._customer = customer
        self._loaded: dict[str, Any] = customer.model_dump(by_alias=True, exclude_none=True)
        self._loaded_texts = {
            spec.name: to_text(spec, lookup(self._loaded, spec.name)) for spec in FORM_FIELDS
        }
        self._texts = {**self._loaded_texts, **(keep or {})}
        self._remote.clear()
        name = html.escape(str(self._loaded.get("name") or "(no name)"))
        self._title.value = f"<h3 style='margin:4px 0'>{name} · customer {self.customer_id}</h3>"
        self._record.value = record_html(self._loaded)
        self._show_all()
        self._refresh()

    # --- inputs, checks and messages --------------------------------------------------

    def _typed(self, name: str, change: Mapping[str, Any]) -> None:
        if self._syncing:
            return
        self._texts[name] = str(change["new"])
        self._remote.pop(name, None)
        self._refresh()
        self._inputs_changed()

    def _submit_clicked(self) -> None:
        """The Submit button asks once when a changed field only has soft warnings."""
        check = self._refresh()
        warned = {f: w for f, w in check.warnings.items() if f in check.changes}
        if warned and not check.errors and not self._confirming:
            self._confirming = True
            self._enable()
            self._say("warning", f"These look wrong: {listing(warned)}. Click "
                      "“Submit anyway” to send as it is, or fix them first.")  # fmt: skip
            return
        self.submit()

    def _refresh(self) -> Check:
        check = self._check = check_inputs(self._texts, self._loaded_texts, self._loaded)
        for spec in FORM_FIELDS:
            problem = check.errors.get(spec.name) or self._remote.get(spec.name)
            self._notes[spec.name].value = note_html(problem, check.warnings.get(spec.name))
        self._enable()
        parts = [count(len(check.changes), "change") if check.changes else "no changes"]
        if check.errors:
            parts.append(f"<span style='color:#b91c1c'>{count(len(check.errors), 'error')}</span>")
        self._summary.value = f"<span style='color:#4b5563'>{' · '.join(parts)}</span>"
        return check

    def _enable(self) -> None:
        for item in (self._preview_button, self._reset_button, self._reload_button):
            item.disabled = self._busy
        self._reveal_button.disabled = self._busy
        invalid, unchanged = bool(self._check.errors), not self._check.changes
        self._submit_button.disabled = self._busy or invalid or unchanged
        self._submit_button.description = "Submit anyway" if self._confirming else "Submit"

    @contextmanager
    def _in_flight(self) -> Iterator[None]:
        """Disable buttons and inputs while a request runs (on the kernel's thread)."""
        self._busy = True
        self._enable()
        for box in self._inputs.values():
            box.disabled = True
        try:
            yield
        finally:
            self._busy = False
            self._confirming = False
            self._show_all()
            self._enable()
