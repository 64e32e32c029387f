"""Errors: one tree, sentences a person needs, reprs without bodies."""

from __future__ import annotations

import trustly_nb as tnb
from trustly_nb.errors import RequestInfo, TrustlyErrorDetail, error_for_status

NOT_FOUND = TrustlyErrorDetail(
    domain="com.trustly.merchantgateway.v1.exception.InvalidParameterException",
    code=200,
    message="Could not find a customer using Id 42",
)


def test_status_table_maps_to_classes():
    """401, 400, 400-not-found, 5xx and others map to their classes in one table."""
    req = RequestInfo("GET", "/api/v1/customers/42")
    assert type(error_for_status(401, [], req)) is tnb.AuthenticationError
    assert type(error_for_status(400, [], req)) is tnb.BadRequestError
    assert type(error_for_status(400, [NOT_FOUND], req)) is tnb.NotFoundError
    assert type(error_for_status(503, [], req)) is tnb.ServerError
    assert type(error_for_status(404, [], req)) is tnb.APIError


def test_not_found_is_also_a_lookup_error_and_a_bad_request():
    """Callers may catch the builtin LookupError or BadRequestError."""
    error = error_for_status(400, [NOT_FOUND], RequestInfo("GET", "/x"))
    assert isinstance(error, LookupError)
    assert isinstance(error, tnb.BadRequestError)
    assert isinstance(error, tnb.TrustlyError)


def test_str_names_request_status_code_message_and_what_to_do():
    """str(error) is one sentence with everything needed to act."""
    error = error_for_status(400, [NOT_FOUND], RequestInfo("GET", "/api/v1/customers/42"))
    text = str(error)
    assert text.startswith("GET /api/v1/customers/42 → HTTP 400: Trustly error 200: Could not")
    assert "list_customers()" in text


def test_repr_has_no_body_or_message():
    """repr never includes bodies (they can carry personal data)."""
    error = error_for_status(400, [NOT_FOUND], RequestInfo("GET", "/api/v1/customers/42"))
    assert repr(error) == (
        "NotFoundError(status=400, code=200, request='GET /api/v1/customers/42')"
    )


def test_non_json_body_still_reads_well():
    """A body that is not Trustly's JSON is quoted briefly instead."""
    error = error_for_status(500, [], RequestInfo("GET", "/x"), body_excerpt="<html>oops")
    assert "not Trustly's JSON error format: '<html>oops'" in str(error)
    assert "try again later" in str(error)


def test_error_detail_tolerates_odd_shapes():
    """Error entries with wrong types or missing keys still parse."""
    assert TrustlyErrorDetail.from_json("boom").message == "boom"
    assert TrustlyErrorDetail.from_json({"code": "200"}).code == 200
    assert TrustlyErrorDetail.from_json({"code": "x"}).code is None


def test_conflict_error_says_what_to_do():
    """A stale write names both stamps and the two ways forward."""
    text = str(tnb.ConflictError("42", 1, 2))
    assert "changed since it was read" in text
    assert "force=True" in text
