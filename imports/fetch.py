"""Fetching a source's URL on its organization's behalf, without reaching inside the network.

A URL given by a user is a request the server makes for them (SSRF). Only ``http``,
``https`` and ``webcal`` (read as ``https``) are followed; every host name is resolved and
refused when any of its addresses is not a public unicast one (loopback, private,
link-local, shared, reserved, multicast…). The check runs where the connection is opened,
on the very address connected to, so a name that resolves differently the second time
(DNS rebinding) gains nothing; it runs again on each redirect, at most
:data:`MAX_REDIRECTS`. No proxy from the environment is used: it would connect for us.

``IMPORTS_LOOPBACK_PORTS`` (empty by default) names loopback ports that may be reached
anyway: the tests' feed server, a development machine.

Limits: :data:`TIMEOUT` seconds to connect, between two reads, and for the whole
download; :data:`MAX_BYTES` of body.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from backend.api import DomainError

SCHEMES = {"http": "http", "https": "https", "webcal": "https"}
MAX_REDIRECTS = 5
TIMEOUT = 10.0
MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
USER_AGENT = "Essaim (agenda partage ESS; import d'agenda)"


class UrlRefused(DomainError):
    """The URL is not one Essaim fetches: nothing was requested from it."""

    status = 400
    code = "source_url_refused"
    message = _("Cette adresse n'est pas acceptée.")


class FetchFailed(DomainError):
    """The server could not be reached, answered an error, or sent too much."""

    status = 502
    code = "source_unreachable"
    message = _("L'agenda n'a pas pu être téléchargé.")


@dataclass
class Fetched:
    """What a fetch brought: ``body`` is None when the server said 304 Not Modified."""

    url: str
    body: bytes | None
    etag: str = ""
    last_modified: str = ""


def normalize_url(url: str) -> str:
    """The URL to fetch: ``webcal://`` read as ``https://``; refuses other schemes and
    URLs without a host, naming the field ``url``."""
    url = (url or "").strip()
    if not url:
        raise UrlRefused(_("Indiquez l'adresse de l'agenda (https://…, webcal://…)."), field="url")
    try:
        parts = urlsplit(url)
        port = parts.port  # a port out of range raises ValueError
    except ValueError as error:
        raise UrlRefused(_("Adresse illisible : %(url)s"), field="url", url=url[:200]) from error
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise UrlRefused(_("Seules les adresses http://, https:// et webcal:// sont acceptées."),
                         field="url")
    if not parts.hostname or port == 0:
        raise UrlRefused(_("L'adresse ne nomme aucun serveur."), field="url")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _address_allowed(address: str, port: int) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback and port in settings.IMPORTS_LOOPBACK_PORTS:
        return True
    return ip.is_global and not ip.is_multicast


def vetted_addresses(host: str, port: int) -> list[str]:
    """The addresses of ``host``, each a public unicast one; ``UrlRefused`` otherwise."""
    host = host.strip("[]")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed(_("Le serveur %(host)s est introuvable."), field="url", host=host) from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    refused = [a for a in addresses if not _address_allowed(a, port)]
    if refused or not addresses:
        address = refused[0] if refused else host
        if address == host:
            raise UrlRefused(_("%(address)s est une adresse interne : Essaim ne va pas y chercher d'agenda."),
                             field="url", address=address)
        raise UrlRefused(_("%(host)s mène à une adresse interne (%(address)s) : Essaim ne va pas y "
                           "chercher d'agenda."), field="url", host=host, address=address)
    return addresses


class _Vetted:
    """Opens the connection to an address checked at that very moment."""

    host: str
    port: int
    _dns_host: str

    def _new_conn(self):
        self._dns_host = vetted_addresses(self._dns_host, self.port)[0]
        return super()._new_conn()  # type: ignore[misc]


class _VettedHTTPConnection(_Vetted, HTTPConnection):
    pass


class _VettedHTTPSConnection(_Vetted, HTTPSConnection):
    pass


class _VettedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _VettedHTTPConnection


class _VettedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _VettedHTTPSConnection


class _VettedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _VettedHTTPPool, "https": _VettedHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy, no .netrc from the environment
    adapter = _VettedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def _read(response: requests.Response, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdecimal() and int(declared) > MAX_BYTES:
        raise FetchFailed(_("L'agenda dépasse %(mb)s Mo."), field="url", mb=MAX_BYTES // 1024 // 1024)
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchFailed(_("L'agenda dépasse %(mb)s Mo."), field="url", mb=MAX_BYTES // 1024 // 1024)
        if time.monotonic() > deadline:
            raise FetchFailed(_("Le serveur a mis plus de %(s)s secondes à envoyer l'agenda."),
                              field="url", s=int(TIMEOUT))
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET ``url`` (conditionally when ``etag`` or ``last_modified`` is known), following up
    to :data:`MAX_REDIRECTS` redirects, each checked like the first URL.

    Raises ``UrlRefused`` before anything is requested from a refused address, and
    ``FetchFailed`` for a server that cannot be reached, is too slow, answers an error
    or sends more than :data:`MAX_BYTES`.
    """
    url = normalize_url(url)
    headers = {"Accept": "text/calendar, text/csv;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + TIMEOUT
    with _session() as session:
        for _hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            vetted_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
            try:
                response = session.get(url, headers=headers, timeout=(TIMEOUT, TIMEOUT),
                                       allow_redirects=False, stream=True)
            except requests.Timeout as error:
                raise FetchFailed(_("Le serveur n'a pas répondu en %(s)s secondes."), field="url",
                                  s=int(TIMEOUT)) from error
            except requests.RequestException as error:
                raise FetchFailed(_("Le serveur est injoignable : %(error)s"), field="url",
                                  error=type(error).__name__) from error
            with response:
                if response.is_redirect:
                    url = normalize_url(urljoin(url, response.headers.get("Location", "")))
                    continue
                if response.status_code == 304:
                    return Fetched(url=url, body=None, etag=etag, last_modified=last_modified)
                if response.status_code != 200:
                    raise FetchFailed(_("Le serveur a répondu %(status)s au lieu de l'agenda."), field="url",
                                      status=response.status_code)
                try:
                    body = _read(response, deadline)
                except requests.RequestException as error:
                    raise FetchFailed(_("Le téléchargement s'est interrompu : %(error)s"), field="url",
                                      error=type(error).__name__) from error
                return Fetched(url=url, body=body, etag=response.headers.get("ETag", ""),
                               last_modified=response.headers.get("Last-Modified", ""))
    raise FetchFailed(_("Plus de %(max)s redirections : l'agenda n'a pas été suivi plus loin."), field="url",
                      max=MAX_REDIRECTS)
