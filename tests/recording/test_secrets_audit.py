"""The secrets audit: with a known fake access key in use, nothing we produce shows it.

The client, the form, a bulk update (with its journal), a recording and a notebook run all
use the key; then every repr, exception, log record, cassette, notebook output and widget
state is searched for the key and for its base64 Basic-auth form.
"""

from __future__ import annotations

import base64
import json
import logging
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient

import trustly_nb as tnb
from trustly_nb import emulator, recording

ACCESS_ID = "audit-access-id"
FAKE_KEY = "fake-KEY-do-not-leak-7f3a9c21"
FORMS = (FAKE_KEY, base64.b64encode(f"{ACCESS_ID}:{FAKE_KEY}".encode()).decode())


def _assert_clean(texts: list[str]) -> None:
    for text in texts:
        for secret in FORMS:
            assert secret not in text


def test_the_fake_key_appears_nowhere(tmp_path, caplog, monkeypatch):
    """Client, errors, form, bulk, journal, recording and logs never show the key."""
    import ipywidgets

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TRUSTLY_NB_CASSETTES", str(tmp_path))
    texts: list[str] = []
    with emulator.serve(access_id=ACCESS_ID, access_key=FAKE_KEY) as emu:
        client = tnb.Client(ACCESS_ID, FAKE_KEY, base_url=emu.base_url, backoff=0.001)
        ids = [c["customerId"] for c in emu.customers()]
        texts += [repr(client), str(client), repr(client.get_customer(ids[0]))]

        for call in (
            lambda: client.get_customer("404404"),
            lambda: client.update_customer(ids[0], email=""),
            lambda: tnb.Client(ACCESS_ID, FAKE_KEY + "x", base_url=emu.base_url).list_customers(),
            lambda: tnb.Client(ACCESS_ID, FAKE_KEY, base_url="http://example.com/api/v1"),
        ):
            with pytest.raises(tnb.TrustlyError) as info:
                call()
            texts += [str(info.value), repr(info.value)]

        form = tnb.CustomerForm(client, ids[0])
        form.set(email="audited@example.com")
        form.submit()
        state = ipywidgets.Widget.get_manager_state(drop_defaults=False)
        texts += [repr(form), form.status, json.dumps(state, default=str)]

        journal = tmp_path / "bulk.jsonl"
        result = client.update_many(
            {cid: {"externalTier": "Audited"} for cid in ids[:5]}, journal=journal, progress=False
        )
        texts += [result.to_string(), result.to_html(), journal.read_text()]

        with tnb.use_cassette("audit", mode="record"):
            client.list_customers()
            client.update_customer(ids[1], email="recorded@example.com")
        texts.append((tmp_path / "audit.yaml").read_text())

    texts.append(caplog.text)
    texts += [record.getMessage() for record in caplog.records]
    assert (tmp_path / "audit.yaml").exists()
    _assert_clean(texts)
    recording.disconnect()


def test_notebook_outputs_never_show_the_key(tmp_path, monkeypatch):
    """A notebook that uses the key (from the environment) prints, displays and fails without it."""
    code = textwrap.dedent(
        """
        import os, logging, trustly_nb as tnb
        logging.basicConfig(level=logging.DEBUG)
        client = tnb.Client(os.environ["AUDIT_ID"], os.environ["AUDIT_KEY"],
                            base_url=os.environ["AUDIT_URL"])
        display(client)
        customer = client.list_customers()[0]
        display(customer, customer.to_frame())
        try:
            client.get_customer("404404")
        except tnb.NotFoundError as error:
            print(repr(error), error)
        tnb.CustomerForm(client, customer.customer_id)
        """
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    with emulator.serve(access_id=ACCESS_ID, access_key=FAKE_KEY) as emu:
        monkeypatch.setenv("AUDIT_ID", ACCESS_ID)
        monkeypatch.setenv("AUDIT_KEY", FAKE_KEY)
        monkeypatch.setenv("AUDIT_URL", emu.base_url)
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = json.dumps([cell.get("outputs", []) for cell in notebook.cells])
    assert "customerId" in outputs  # the notebook really ran and displayed a customer
    _assert_clean([outputs, json.dumps(notebook.metadata)])
