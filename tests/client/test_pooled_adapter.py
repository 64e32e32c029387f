"""The adapter that remembers each origin's urllib3 pool (client/_pool.py) sends every request
where ``requests``' own would: the right host, through the proxy, with the TLS settings asked
for, on a live pool, and through vcrpy when a cassette is active.

Real servers on loopback (plain and TLS) record which connection each request came on.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from requests.adapters import HTTPAdapter

import trustly_nb as tnb
from trustly_nb.client._pool import PooledAdapter

from ..recording_server import RecordingServer, serving


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with serving() as started:
        yield started


@pytest.fixture
def other_server() -> Iterator[RecordingServer]:
    with serving() as started:
        yield started


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA), and its key."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[RecordingServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with serving(context) as started:
        yield started


def _session(adapter_class: type[HTTPAdapter], pools: int = 4) -> requests.Session:
    """A plain session on ``adapter_class`` that reads nothing from the environment."""
    session = requests.Session()
    session.trust_env = False
    adapter = adapter_class(pool_connections=pools, pool_maxsize=4, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# Each rule below is checked on requests' own adapter too: the outcome must be the same.
both_adapters = pytest.mark.parametrize("adapter_class", [HTTPAdapter, PooledAdapter])


def test_the_client_mounts_the_pooled_adapter_and_keeps_one_connection(server):
    """A client's requests to its host go over one kept-alive connection, from the pool
    urllib3's PoolManager holds for that host."""
    with tnb.Client("id", "key", base_url=server.base_url) as client:
        for _ in range(5):
            client.get_customer("42")
        client.update_customer("42", email="new@example.com")
        adapter = client._session.get_adapter(server.base_url)
        assert isinstance(adapter, PooledAdapter)
        request, verify = requests.Request("GET", server.base_url).prepare(), True
        # The pool remembered is the one requests' own lookup picks for the same settings.
        picked = HTTPAdapter.get_connection_with_tls_context(adapter, request, verify)
        assert adapter.get_connection_with_tls_context(request, verify) is picked
        assert len(adapter.poolmanager.pools) == 2  # the client's own settings, and verify=True
    assert len(server.seen) == 7  # five gets; get → post
    assert server.connections == 1


@both_adapters
def test_a_second_host_gets_its_own_pool(server, other_server, adapter_class):
    """Requests alternating between two hosts each reach their own server, each over its
    own kept-alive connection."""
    with _session(adapter_class) as session:
        for _ in range(3):
            session.get(f"{server.base_url}/customers/1", timeout=5)
            session.get(f"{other_server.base_url}/customers/2", timeout=5)
    assert [r["line"] for r in server.seen] == ["GET /api/v1/customers/1 HTTP/1.1"] * 3
    assert [r["line"] for r in other_server.seen] == ["GET /api/v1/customers/2 HTTP/1.1"] * 3
    assert server.connections == other_server.connections == 1


def test_a_closed_client_still_sends_on_a_fresh_pool(server):
    """After ``close()`` the closed pool is not used again: the next request opens a new
    connection instead of failing on a closed pool."""
    with tnb.Client("id", "key", base_url=server.base_url) as client:
        client.get_customer("42")
        client.close()
        assert client.get_customer("42").email == "ada@example.com"
    assert server.connections == 2


@both_adapters
def test_more_hosts_than_the_manager_keeps_pools_for(server, other_server, adapter_class):
    """With more hosts than ``pool_connections``, the manager's least recently used pool
    goes: each switch of host opens a new connection, as with requests' own adapter."""
    with _session(adapter_class, pools=1) as session:
        for _ in range(2):
            session.get(f"{server.base_url}/customers/1", timeout=5)
            session.get(f"{other_server.base_url}/customers/2", timeout=5)
    assert len(server.seen) == len(other_server.seen) == 2
    assert server.connections == other_server.connections == 2


@both_adapters
def test_a_proxy_is_still_used(server, other_server, adapter_class):
    """A request with a proxy goes to the proxy (absolute URL in the request line), also
    after the same URL was sent direct."""
    url = f"{other_server.base_url}/customers/7"
    with _session(adapter_class) as session:
        session.get(url, timeout=5)
        session.get(url, timeout=5, proxies={"http": server.origin})
        session.get(url, timeout=5)
    assert [r["line"] for r in server.seen] == [f"GET {url} HTTP/1.1"]
    assert [r["line"] for r in other_server.seen] == ["GET /api/v1/customers/7 HTTP/1.1"] * 2


@both_adapters
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_each_tls_setting_gets_its_own_pool(tls_server, certificate, adapter_class):
    """verify=False, a CA bundle and the default bundle are each honoured on the same host:
    a pool made for one setting is never reused for another."""
    url = f"{tls_server.base_url}/customers/42"
    with _session(adapter_class) as session:
        assert session.get(url, timeout=5, verify=False).status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            session.get(url, timeout=5)  # certifi's bundle does not know this certificate
        assert session.get(url, timeout=5, verify=str(certificate[0])).status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            session.get(url, timeout=5, verify=True)
        assert session.get(url, timeout=5, verify=False).status_code == 200


def test_the_clients_verify_setting_is_honoured(tls_server, certificate, monkeypatch):
    """A client whose session trusts the certificate's bundle gets its answer; one on the
    default bundle fails with a TransportError, not an answer."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    trusting = requests.Session()
    trusting.verify = str(certificate[0])
    with tnb.Client("id", "key", base_url=tls_server.base_url, session=trusting) as client:
        assert client.get_customer("42").email == "ada@example.com"
        assert client.get_customer("42").email == "ada@example.com"
    with (
        tnb.Client("id", "key", base_url=tls_server.base_url, max_retries=0) as client,
        pytest.raises(tnb.TransportError),
    ):
        client.get_customer("42")
    assert len(tls_server.seen) == 2


@both_adapters
def test_a_client_certificate_that_cannot_be_hashed_is_looked_up_as_requests_does(
    server, adapter_class
):
    """``cert`` given as a list (not a tuple) takes requests' own lookup, which urllib3
    refuses (its pool key is unhashable) before anything is sent."""
    with _session(adapter_class) as session, pytest.raises(TypeError, match="unhashable"):
        session.get(f"{server.base_url}/customers/1", timeout=5, cert=["missing.pem", "x.key"])
    assert server.seen == []


@both_adapters
def test_a_cookie_set_by_an_answer_reaches_the_session_jar(server, adapter_class):
    """An answer's Set-Cookie lands in the session's jar (and on the response)."""
    server.set_cookie = "AWSALB=abc; Path=/"
    with _session(adapter_class) as session:
        response = session.get(f"{server.base_url}/customers/1", timeout=5)
    assert response.cookies.get("AWSALB") == "abc"
    assert session.cookies.get("AWSALB") == "abc"


def test_a_pool_looked_up_before_a_cassette_still_goes_through_vcrpy(emu, cassettes_dir):
    """A pool (and a live connection in it) from before a cassette opened is used through
    vcrpy's patches: the request is recorded, and replayed without reaching the server."""
    with emu.client() as client:
        customer_id = str(client.list_customers()[0].customer_id)  # live: the pool exists now
        with tnb.use_cassette("pooled", mode="record"):
            recorded = client.get_customer(customer_id)
        seen = len(emu.requests)
        with tnb.use_cassette("pooled"):
            replayed = client.get_customer(customer_id)
        assert len(emu.requests) == seen
        client.get_customer(customer_id)  # after the cassette: live again
        assert len(emu.requests) == seen + 1
    assert replayed == recorded
    interactions = yaml.safe_load((cassettes_dir / "pooled.yaml").read_text())["interactions"]
    assert [i["request"]["method"] for i in interactions] == ["GET"]
