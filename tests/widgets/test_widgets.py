"""CustomerForm without a browser: widget values, typing, buttons, and every failure path.

The form talks to the real emulator over loopback. Typing is simulated the way the
frontend does it, by setting an input's ``value``; buttons are pressed with
``Button.click()``, which runs the same handlers a click in JupyterLab does.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import trustly_nb as tnb
from trustly_nb import emulator
from trustly_nb.models import CUSTOMER_FIELDS, READ_ONLY_FIELDS

ADA = "1001165729"  # complete record: taxId, dateOfBirth, driverLicense, customData
CHLOE = "1001165736"  # has loyaltyTier, a field the schema does not list


def all_widgets(form: tnb.CustomerForm) -> list:
    """Every widget in the form's tree."""
    found, todo = [], [form.widget]
    while todo:
        item = todo.pop()
        found.append(item)
        todo.extend(getattr(item, "children", ()))
    return found


def widget(form: tnb.CustomerForm, css: str):
    """The one widget of the form carrying a CSS class (what the browser test finds)."""
    found = [item for item in all_widgets(form) if css in item._dom_classes]
    assert len(found) == 1, f"{len(found)} widgets have class {css!r}"
    return found[0]


def type_into(form: tnb.CustomerForm, field: str, text: str) -> None:
    """What the browser does on each keystroke: set the input's value."""
    widget(form, f"tnb-field-{field.replace('.', '-')}").value = text


def note(form: tnb.CustomerForm, field: str) -> str:
    return widget(form, f"tnb-note-{field.replace('.', '-')}").value


def posts(emu: emulator.Emulator) -> list:
    return [r for r in emu.requests if r.method == "POST"]


@pytest.fixture
def form(client) -> tnb.CustomerForm:
    return tnb.CustomerForm(client, ADA)


# --- built from the model -----------------------------------------------------------------


def test_import_trustly_nb_does_not_import_ipywidgets():
    """ipywidgets loads with trustly_nb.widgets only, never with the package."""
    code = "import sys, trustly_nb; assert 'ipywidgets' not in sys.modules, 'loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_editable_field_has_an_input_and_read_only_ones_do_not(form):
    """One input per documented editable field, nested ones expanded; none for server-set."""
    expected = [
        "name", "taxId", "address.address1", "address.address2", "address.city",
        "address.state", "address.zip", "address.country", "phone", "email", "dateOfBirth",
        "externalId", "merchantId", "enrollDate", "vip", "currency", "balance",
        "organizationNumber", "externalTier", "personId", "customData",
        "driverLicense.number", "driverLicense.state", "nationalId",
    ]  # fmt: skip

    def in_page_order(item) -> list:
        return [item, *(w for child in getattr(item, "children", ()) for w in in_page_order(child))]

    shown = [css.removeprefix("tnb-field-") for item in in_page_order(form.widget)
             for css in item._dom_classes if css.startswith("tnb-field-")]  # fmt: skip
    assert sorted(name.replace("-", ".", 1) for name in shown) == sorted(expected)
    for name in expected:
        widget(form, f"tnb-field-{name.replace('.', '-')}")
    classes = {css for item in all_widgets(form) for css in item._dom_classes}
    assert not {f"tnb-field-{name}" for name in READ_ONLY_FIELDS} & classes
    assert widget(form, "tnb-field-customData").__class__.__name__ == "Textarea"


def test_client_form_returns_a_customer_form(client):
    """client.form(id) is the same form, with .client and .customer_id."""
    form = client.form(int(ADA))
    assert isinstance(form, tnb.CustomerForm)
    assert form.client is client
    assert form.customer_id == ADA


def test_an_unknown_customer_cannot_be_loaded(client):
    """A form needs a customer: an unknown id raises NotFoundError, which says what to do."""
    with pytest.raises(tnb.NotFoundError, match="list_customers"):
        tnb.CustomerForm(client, "404404")


def test_repr_is_cheap_and_the_widget_displays_itself(form):
    """repr names the customer and the change count, no values; display gives the widget."""
    assert repr(form) == f"<CustomerForm customer_id='{ADA}' changed=0>"
    form.set(email="ada@example.org", vip="2")
    assert repr(form) == f"<CustomerForm customer_id='{ADA}' changed=2>"
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"] == repr(form)
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == form.widget.model_id
    assert "3456" not in repr(form)


# --- values, masking, set -----------------------------------------------------------------


def test_values_hold_every_editable_field_nested_and_camel_case(form):
    """Every editable field, None where unset; typed timestamps and customData; masked ids."""
    values = form.values
    assert list(values) == [n for n in CUSTOMER_FIELDS if n not in READ_ONLY_FIELDS]
    assert values["address"] == {"address1": "48 Harvard Ave", "address2": None,
                                 "city": "Boston", "state": "MA", "zip": "02134",
                                 "country": "US"}  # fmt: skip
    assert values["enrollDate"] == 1707579000000
    assert values["customData"] == {"segment": "retail", "loyaltyPoints": 120}
    assert values["organizationNumber"] is None
    assert values["taxId"] == "•••••••3456"
    assert values["driverLicense"] == {"number": "••••••3456", "state": "MA"}
    assert widget(form, "tnb-field-enrollDate").value == "2024-02-10T15:30:00Z"


def test_sensitive_inputs_are_masked_and_locked_until_revealed(form):
    """Identity numbers show masked in disabled inputs; Reveal shows them and unlocks them."""
    tax = widget(form, "tnb-field-taxId")
    assert (tax.value, tax.disabled) == ("•••••••3456", True)
    assert widget(form, "tnb-field-dateOfBirth").value == "••••••3-14"
    widget(form, "tnb-reveal").value = True
    assert (tax.value, tax.disabled) == ("000-12-3456", False)
    assert form.values["driverLicense"]["number"] == "D000123456"
    form.revealed = False
    assert (tax.value, tax.disabled) == ("•••••••3456", True)


def test_set_takes_camel_snake_dotted_and_nested_names(form):
    """set() accepts the API's names, snake_case, dotted keys and dicts (merged)."""
    form.set(email="ada@example.org", external_tier="Gold", **{"address.city": "Cambridge"})
    form.set(address={"zip": "02139"}, customData={"segment": "vip", "newsletter": True})
    assert form.values["address"]["city"] == "Cambridge"
    assert form.values["address"]["zip"] == "02139"
    assert form.values["externalTier"] == "Gold"
    assert form.values["customData"] == {"segment": "vip", "loyaltyPoints": 120,
                                         "newsletter": True}  # fmt: skip
    assert form.changed == ["address.city", "address.zip", "email", "externalTier", "customData"]
    assert widget(form, "tnb-field-email").value == "ada@example.org"


def test_set_refuses_names_it_cannot_set_and_sets_nothing(client):
    """Unknown, read-only and undocumented names raise one ValidationError; nothing changes."""
    form = tnb.CustomerForm(client, CHLOE)
    with pytest.raises(tnb.ValidationError) as info:
        form.set(email="x@example.org", emial="y", updatedAt=1, loyaltyTier="silver")
    assert info.value.fields == ["emial", "updatedAt", "loyaltyTier"]
    assert "did you mean 'email'" in str(info.value)
    assert "read-only and keeps it" in str(info.value)
    assert form.changed == []
    with pytest.raises(tnb.ValidationError, match="not a field of address"):
        form.set(address={"street": "x"})


def test_a_sensitive_value_set_while_masked_stays_masked_on_screen(form, emu):
    """set() may change an identity number; the input keeps showing it masked."""
    form.set(taxId="000-99-1234")
    assert widget(form, "tnb-field-taxId").value == "•••••••1234"
    assert form.submit() is not None
    assert emu.get(ADA)["taxId"] == "000-99-1234"


# --- inline validation --------------------------------------------------------------------


def test_typing_shows_errors_beside_the_field_and_disables_submit(form):
    """The API's rules are errors beside the input as the user types; Submit stays off."""
    submit = widget(form, "tnb-submit")
    assert submit.disabled, "nothing changed yet"
    type_into(form, "address.zip", "021")
    assert "must be at least 5 character(s)" in note(form, "address.zip")
    assert submit.disabled
    assert form.errors == {"address.zip": "must be at least 5 character(s), got '021'"}
    type_into(form, "address.zip", "02139")
    assert note(form, "address.zip") == ""
    assert not submit.disabled
    type_into(form, "email", "")
    assert "is required" in note(form, "email")
    assert submit.disabled
    assert "error" in widget(form, "tnb-summary").value


def test_soft_checks_are_warnings_that_do_not_block_submit(form):
    """An odd phone or country is a warning beside the field; Submit stays available."""
    type_into(form, "phone", "555 0100")
    type_into(form, "address.country", "USA")
    assert "E.164" in note(form, "phone")
    assert "ISO 3166-1" in note(form, "address.country")
    assert set(form.warnings) == {"phone", "address.country"}
    assert form.errors == {}
    assert not widget(form, "tnb-submit").disabled


def test_unreadable_text_is_an_error_for_timestamps_json_and_masks(form):
    """A bad date, JSON that is not an object, or a pasted mask are refused beside the field."""
    form.revealed = True
    type_into(form, "enrollDate", "next tuesday")
    type_into(form, "customData", "[1, 2]")
    type_into(form, "taxId", "#####6790")
    assert "not a date/time" in form.errors["enrollDate"]
    assert "JSON object" in form.errors["customData"]
    assert "looks masked" in form.errors["taxId"]
    type_into(form, "customData", "{oops")
    assert "not valid JSON" in form.errors["customData"]


def test_a_stored_value_breaking_the_rules_shows_on_load(emu, client):
    """A customer Trustly holds that breaks the rules is shown with the error to fix."""
    emu.put({**emu.get(ADA), "address": {**emu.get(ADA)["address"], "zip": "123"}})
    form = tnb.CustomerForm(client, ADA)
    assert "address.zip" in form.errors
    assert "Fix before any update" in form.status


# --- preview, submit, reset ---------------------------------------------------------------


def test_preview_shows_the_diff_and_sends_nothing(form, emu):
    """Preview returns field/before/after, shows it in the form, and sends no request."""
    emu.reset_requests()
    form.set(email="ada@example.org")
    widget(form, "tnb-preview").click()
    diff = form.preview()
    assert diff[["field", "before", "after"]].values.tolist() == [
        ["email", "ada.whitfield@example.com", "ada@example.org"]
    ]
    assert "ada@example.org" in widget(form, "tnb-output").value
    assert "Nothing sent" in form.status
    assert emu.requests == []


def test_preview_masks_identity_numbers_unless_revealed(form):
    """A changed tax id is listed, masked, in the preview."""
    form.set(taxId="000-99-1234")
    assert form.preview()["after"].tolist() == ["•••••••1234"]
    form.revealed = True
    assert form.preview()["after"].tolist() == ["000-99-1234"]


def test_submit_sends_only_the_change_and_shows_the_updated_customer(form, emu):
    """Submit posts the merged customer, then shows the update, a success message."""
    type_into(form, "email", "ada@example.org")
    type_into(form, "address.city", "Cambridge")
    widget(form, "tnb-submit").click()
    assert form.status == f"Saved: customer {ADA} updated (address.city, email)."
    stored = emu.get(ADA)
    assert stored["email"] == "ada@example.org"
    assert stored["address"]["city"] == "Cambridge"
    assert stored["taxId"] == "000-12-3456", "masked values are never written back"
    assert "•" not in json.dumps(posts(emu)[-1].body, ensure_ascii=False)
    assert form.customer.email == "ada@example.org"
    assert form.changed == []
    assert widget(form, "tnb-submit").disabled, "nothing left to submit"
    assert "ada@example.org" in widget(form, "tnb-output").value
    assert "tnb-status-success" in widget(form, "tnb-status").value
    assert form.customer.updated_at > 1_742_306_700_000


def test_submit_returns_the_customer_or_none(form):
    """submit() gives the updated Customer; with nothing to send, None and a message."""
    assert form.submit() is None
    assert "Nothing to submit" in form.status
    form.set(vip="3")
    updated = form.submit()
    assert isinstance(updated, tnb.Customer)
    assert updated.vip == "3"


def test_invalid_form_is_not_sent(form, emu):
    """submit() with errors reports them and sends nothing."""
    form.set(name="")
    assert form.submit() is None
    assert form.status.startswith("Not sent; fix first: name is required")
    assert posts(emu) == []


def test_emptying_an_optional_input_removes_the_field(form, emu):
    """A blank input that had a value is sent as null: Trustly removes the field."""
    type_into(form, "vip", "")
    type_into(form, "address.address1", "  ")
    assert form.changed == ["address.address1", "vip"]
    assert form.submit() is not None
    stored = emu.get(ADA)
    assert "vip" not in stored
    assert "address1" not in stored["address"]
    assert form.values["vip"] is None


def test_custom_data_and_timestamps_round_trip(form, emu):
    """Edited JSON replaces customData (removed keys go); a date becomes epoch ms."""
    type_into(form, "customData", '{"segment": "smb"}')
    type_into(form, "enrollDate", "2024-03-01")
    assert form.submit() is not None
    stored = emu.get(ADA)
    assert stored["customData"] == {"segment": "smb"}
    assert stored["enrollDate"] == 1709251200000


def test_reformatted_values_are_not_changes(form):
    """Whitespace, JSON layout or an equal epoch-ms value does not count as a change."""
    type_into(form, "email", " ada.whitfield@example.com ")
    type_into(form, "customData", '{"loyaltyPoints": 120, "segment": "retail"}')
    type_into(form, "enrollDate", "1707579000000")
    assert form.changed == []


def test_fields_outside_the_schema_are_shown_and_kept(client, emu):
    """loyaltyTier is shown read-only and survives an update."""
    form = tnb.CustomerForm(client, CHLOE)
    assert "loyaltyTier" in widget(form, "tnb-record").value
    form.set(externalTier="Platinum")
    assert form.submit() is not None
    assert emu.get(CHLOE)["loyaltyTier"] == "gold"


def test_a_masked_value_from_the_api_is_revealed_as_is_and_never_sent(client, emu):
    """If Trustly returns #####6790, Reveal shows that, and it is not posted back."""
    emu.put({**emu.get(ADA), "taxId": "#####6790"})
    form = tnb.CustomerForm(client, ADA)
    form.revealed = True
    assert widget(form, "tnb-field-taxId").value == "#####6790"
    form.set(email="ada@example.org")
    assert form.errors == {}
    assert form.submit() is not None
    assert "taxId" not in posts(emu)[-1].body
    assert emu.get(ADA)["taxId"] == "#####6790"


def test_reset_returns_to_the_loaded_values(form):
    """Reset puts every input back and clears the edits."""
    type_into(form, "email", "x@example.org")
    form.set(**{"address.zip": "1"})
    widget(form, "tnb-reset").click()
    assert form.changed == []
    assert form.errors == {}
    assert widget(form, "tnb-field-email").value == "ada.whitfield@example.com"
    assert form.status.startswith("Reset")


# --- in flight, failures, conflicts ---------------------------------------------------------


def test_buttons_and_inputs_are_disabled_while_a_request_is_in_flight(form, emu):
    """Every button is disabled during the GET and the POST of a submit, then restored."""
    seen = []

    def watch(method, path, k):  # runs inside the request, on the emulator's thread
        names = ("tnb-preview", "tnb-submit", "tnb-reset", "tnb-reveal", "tnb-reload")
        states = {name: widget(form, name).disabled for name in names}
        seen.append((method, states, widget(form, "tnb-field-email").disabled, form.status))

    emu.faults = watch
    form.set(email="ada@example.org")
    assert form.submit() is not None
    assert [method for method, *_ in seen] == ["GET", "POST"]
    for _, states, email_locked, status in seen:
        assert all(states.values()), states
        assert email_locked
        assert status == "Sending 1 change…"
    assert not widget(form, "tnb-preview").disabled
    assert not widget(form, "tnb-field-email").disabled
    assert widget(form, "tnb-field-taxId").disabled, "still masked"


def test_server_down_is_reported_in_the_form_and_edits_are_kept(client, emu):
    """A refused connection is a status message, not an exception; the edit stays."""
    form = tnb.CustomerForm(client, ADA)
    form.set(email="ada@example.org")
    emu.stop()
    widget(form, "tnb-submit").click()
    assert form.status.startswith("Not saved: GET ")
    assert "could not connect" in form.status
    assert form.status.endswith("Your edits are kept.")
    assert "tnb-status-error" in widget(form, "tnb-status").value
    assert form.values["email"] == "ada@example.org"
    assert not widget(form, "tnb-submit").disabled, "the user can try again"


def test_a_401_shows_trustly_code_and_message(form, emu):
    """Wrong credentials: HTTP 401 with Trustly's code 375 and what to do."""
    emu.access_key = "rotated"
    form.set(email="ada@example.org")
    assert form.submit() is None
    assert "HTTP 401" in form.status
    assert "Trustly error 375: Access not authorized" in form.status
    assert "TRUSTLY_ACCESS_KEY" in form.status
    assert form.changed == ["email"]


def test_a_400_shows_trustly_code_and_message_beside_the_field(form, emu):
    """Trustly refusing a field: the status has its code and message; the field shows it."""
    body = {"errors": [{"domain": emulator.INVALID_PARAMETER, "code": 200,
                        "message": "Invalid parameter: email is not accepted",
                        "location": "email"}]}  # fmt: skip
    emu.faults = lambda method, path, k: (
        emulator.Fault(400, json.dumps(body).encode(), "application/json")
        if method == "POST"
        else None
    )
    form.set(email="ada@example.org")
    assert form.submit() is None
    assert "HTTP 400: Trustly error 200: Invalid parameter: email is not accepted" in form.status
    assert "Trustly: Invalid parameter" in note(form, "email")
    assert form.errors["email"].startswith("Trustly:")
    assert form.values["email"] == "ada@example.org"


def test_an_answer_that_is_not_the_api_is_reported(form, emu):
    """A 2xx that is not JSON is shown as an error, not raised."""
    emu.faults = lambda method, path, k: (
        emulator.Fault(200, b"<html>proxy</html>") if method == "POST" else None
    )
    form.set(email="ada@example.org")
    assert form.submit() is None
    assert "HTTP 200" in form.status
    assert "did not answer like the Customers API" in form.status


def test_a_stale_write_is_refused_and_reload_keeps_the_edits(form, emu):
    """Someone else changed the customer: Submit says so, Reload keeps the edits on top."""
    form.set(email="ada@example.org")
    emu.put({**emu.get(ADA), "phone": "+15555550177"})
    reload = widget(form, "tnb-reload")
    assert reload.layout.display == "none"
    assert form.submit() is None
    assert "changed since this form loaded it" in form.status
    assert posts(emu) == []
    assert reload.layout.display is None, "Reload (keep my edits) is offered"
    reload.click()
    assert reload.layout.display == "none"
    assert "your 1 edit kept on top" in form.status
    assert form.values["phone"] == "+15555550177"
    assert form.values["email"] == "ada@example.org"
    assert form.submit() is not None
    assert emu.get(ADA)["phone"] == "+15555550177"
    assert emu.get(ADA)["email"] == "ada@example.org"


def test_reload_failure_is_reported(form, emu):
    """Reload reports a failure in the form too, keeping the edits."""
    form.set(email="ada@example.org")
    emu.stop()
    assert form.reload() is None
    assert form.status.startswith("Not reloaded:")
    assert form.values["email"] == "ada@example.org"


def test_strict_replay_says_an_edit_is_not_in_the_cassette(cassettes_dir):
    """In strict replay, an unrecorded edit gets the cassette message inside the form."""
    recorder = tnb.connect("form-demo", mode="record")
    tnb.CustomerForm(recorder, ADA)
    client = tnb.connect("form-demo", strict=True)
    form = tnb.CustomerForm(client, ADA)
    form.set(email="mine@example.org")
    assert form.submit() is None
    assert "holds no answer for POST /api/v1/customers/" in form.status
    assert "The recording has no POST to that path" in form.status
    assert "mode='emulator'" in form.status
    assert form.values["email"] == "mine@example.org"


# --- the status always describes the inputs as they are ------------------------------------


def test_a_fix_clears_a_stale_fix_before_submit_and_the_old_preview(form):
    """After fixing every field, no "Preview only; fix before Submit" next to an enabled Submit."""
    form.set(**{"address.zip": "123"})
    form.preview()
    assert "Preview only; fix before Submit" in form.status
    assert widget(form, "tnb-output").value != ""
    type_into(form, "address.zip", "02139")
    assert "fix before Submit" not in form.status
    assert widget(form, "tnb-output").value == "", "the preview of the old inputs is gone"
    assert "1 change" in form.status
    assert not widget(form, "tnb-submit").disabled


def test_the_submit_button_asks_once_when_the_change_only_has_warnings(form, emu):
    """Only the button asks ("Submit anyway"); an edit withdraws the question."""
    button = widget(form, "tnb-submit")
    type_into(form, "phone", "555-0100")  # not E.164: a warning, not an error
    button.click()
    assert posts(emu) == []
    assert button.description == "Submit anyway"
    assert "phone" in form.status
    type_into(form, "phone", "555-0101")
    assert button.description == "Submit", "the question was about other inputs"
    button.click()
    assert posts(emu) == []
    button.click()
    assert len(posts(emu)) == 1
    assert button.description == "Submit"
    assert emu.get(ADA)["phone"] == "555-0101"


def test_submit_from_code_sends_with_warnings_and_says_so(form, emu):
    """Code is never asked: submit() sends and lists the warnings in .status."""
    form.set(phone="555-0100")
    assert form.submit() is not None
    assert "Sent with warnings: phone" in form.status
    assert emu.get(ADA)["phone"] == "555-0100"
