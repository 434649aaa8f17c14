"""The development identity provider over HTTP: the pages a person sees instead of Sweden Connect.

A small WSGI application (no Django: it is the other party, not part of the portal) on the
standard library's wsgiref server. `python -m devidp` runs it beside `make run`; tests start it in
a daemon thread beside Django's live server with `start_in_thread`.

    GET  /metadata   the identity provider's SAML metadata
    GET  /sso        an AuthnRequest by HTTP-Redirect (SAMLRequest deflated and base64, RelayState)
    POST /sso        an AuthnRequest by HTTP-POST
                     -> a page to pick a test person and a level of assurance
    POST /login      -> a signed Response, posted back to the service's ACS URL by a form that
                        submits itself (and has a button for when scripts are off)

Nothing is kept between requests: what the AuthnRequest said travels in hidden fields of the
person page, so the server is as thread-safe as pysaml2 and xmlsec1 are (every signing is an
xmlsec1 process of its own). A dev IdP posts wherever the request asked; see `devidp.idp`.
"""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.types import StartResponse, WSGIEnvironment

from devidp import idp, keys
from devidp.persons import PERSONS, by_number

logger = logging.getLogger("devidp")

TITLE = "Testlegitimering (endast utveckling)"
MAX_BODY_BYTES = 1024 * 1024  # an AuthnRequest is a few kilobytes
# The levels of assurance one can choose, the first the default: LoA 3 is what BankID gives; LoA 2
# is too low for the portal, to see it refuse.
LOA_CHOICES: tuple[tuple[str, str], ...] = (
    (idp.LOA3, "LoA 3"),
    (idp.LOA2, "LoA 2 (för låg)"),
)

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;margin:0;
padding:1rem;color:#1b1b1b;background:#fff}
main{max-width:36rem;margin:0 auto}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
.note{border-left:.35rem solid #b35c00;background:#fff4e5;padding:.5rem .75rem;margin:0 0 1rem}
fieldset{border:1px solid #767676;border-radius:.25rem;margin:0 0 1rem;padding:.5rem .75rem}
legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;gap:.5rem;align-items:flex-start;padding:.25rem 0}
.choice input{margin-top:.35rem}
label{cursor:pointer}
select,button{font:inherit;max-width:100%}
select{display:block;margin:.25rem 0 1rem;padding:.25rem}
button{padding:.5rem 1.25rem;border:0;border-radius:.25rem;background:#005ea5;color:#fff;cursor:pointer}
button:focus-visible,select:focus-visible,input:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
code,.wrap{overflow-wrap:anywhere}
.small{font-size:.9rem;color:#4a4a4a}
#loa-hint{margin:0}
.nowrap{white-space:nowrap}
""".strip()


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _page(title: str, body: str, *, script: str = "") -> bytes:
    """A whole HTML page in Swedish, readable from 320px wide."""
    return (
        "<!doctype html>\n"
        '<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n{script}</body>\n</html>\n"
    ).encode()


def _error_page(heading: str, text: str, detail: str = "") -> bytes:
    detail_html = (
        f'<p class="small">Teknisk orsak: <code>{_e(detail[:300])}</code></p>' if detail else ""
    )
    return _page(
        f"{heading} – {TITLE}",
        f"<h1>{_e(heading)}</h1>\n<p>{_e(text)}</p>\n{detail_html}",
    )


class _BadRequest(Exception):
    """Anything the browser sent that the identity provider cannot act on: a 400 page."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class DevIdPApp:
    """The WSGI application. `base_url` is where it is reached (entity id and endpoints hang on it)."""

    def __init__(self, base_url: str, key_dir: str | os.PathLike[str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_dir = key_dir

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        routes = {
            "/": ("GET", self._index),
            "/metadata": ("GET", self._metadata),
            "/sso": ("GET POST", self._sso),
            "/login": ("POST", self._login),
        }
        try:
            if path not in routes:
                return self._respond(
                    start_response,
                    "404 Not Found",
                    _error_page("Sidan finns inte", "Testlegitimeringen har ingen sida här."),
                )
            allowed, handler = routes[path]
            if method not in allowed.split():
                return self._respond(
                    start_response,
                    "405 Method Not Allowed",
                    _error_page(
                        "Fel metod", f"Sidan tar bara emot {allowed.replace(' ', ' och ')}."
                    ),
                    [("Allow", ", ".join(allowed.split()))],
                )
            status, content_type, body = handler(environ, method)
            return self._respond(start_response, status, body, [("Content-Type", content_type)])
        except _BadRequest as exc:
            logger.info("400 for %s %s: %s", method, path, exc.detail)
            return self._respond(
                start_response,
                "400 Bad Request",
                _error_page(
                    "Felaktig begäran",
                    "Testlegitimeringen kunde inte läsa det tjänsten skickade. Gå tillbaka till "
                    "tjänsten och försök logga in igen.",
                    exc.detail,
                ),
            )
        except Exception:
            logger.exception("devidp failed on %s %s", method, path)
            return self._respond(
                start_response,
                "500 Internal Server Error",
                _error_page(
                    "Något gick fel",
                    "Testlegitimeringen råkade ut för ett fel. Se loggen där den körs.",
                ),
            )

    @staticmethod
    def _respond(
        start_response: StartResponse,
        status: str,
        body: bytes,
        headers: list[tuple[str, str]] | None = None,
    ) -> list[bytes]:
        all_headers = [("Content-Type", "text/html; charset=utf-8")]
        for name, value in headers or []:
            all_headers = [h for h in all_headers if h[0].lower() != name.lower()]
            all_headers.append((name, value))
        all_headers += [
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        start_response(status, all_headers)
        return [body]

    # --- reading requests

    @staticmethod
    def _form(environ: WSGIEnvironment, method: str) -> dict[str, str]:
        """The query string (GET) or urlencoded body (POST) as single values: the first of each."""
        if method == "GET":
            raw = environ.get("QUERY_STRING", "")
        else:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                raise _BadRequest("Content-Length is not a number") from None
            if length > MAX_BODY_BYTES:
                raise _BadRequest("the request body is too large")
            raw = environ["wsgi.input"].read(length).decode("utf-8", errors="replace")
        try:
            parsed = parse_qs(raw, keep_blank_values=True, max_num_fields=50)
        except ValueError as exc:
            raise _BadRequest(str(exc)) from exc
        return {key: values[0] for key, values in parsed.items()}

    # --- pages

    def _index(self, environ: WSGIEnvironment, method: str) -> tuple[str, str, bytes]:
        body = (
            f"<h1>{_e(TITLE)}</h1>\n"
            '<p class="note">En identitetsleverantör för utveckling och tester, i stället för '
            "Sweden Connect. Här legitimerar man sig som en testperson, utan riktig "
            "e-legitimation.</p>\n"
            f'<p>Metadata: <a class="wrap" href="{_e(self.base_url)}/metadata">'
            f"{_e(self.base_url)}/metadata</a></p>"
        )
        return "200 OK", "text/html; charset=utf-8", _page(TITLE, body)

    def _metadata(self, environ: WSGIEnvironment, method: str) -> tuple[str, str, bytes]:
        xml = idp.metadata_xml(self.base_url, key_dir=self.key_dir)
        return "200 OK", "application/samlmetadata+xml; charset=utf-8", xml.encode()

    def _sso(self, environ: WSGIEnvironment, method: str) -> tuple[str, str, bytes]:
        form = self._form(environ, method)
        saml_request = form.get("SAMLRequest", "").strip()
        if not saml_request:
            raise _BadRequest("no SAMLRequest")
        binding = idp.BINDING_HTTP_REDIRECT if method == "GET" else idp.BINDING_HTTP_POST
        try:
            request = idp.parse_authn_request(
                saml_request, binding, base_url=self.base_url, key_dir=self.key_dir
            )
        except idp.InvalidAuthnRequest as exc:
            raise _BadRequest(str(exc)) from exc
        relay_state = form.get("RelayState")
        logger.info(
            "AuthnRequest %s from %s (ForceAuthn=%s, LoA asked %s)",
            request.id,
            request.issuer,
            request.force_authn,
            ", ".join(request.requested_authn_context) or "none",
        )
        return "200 OK", "text/html; charset=utf-8", self._persons_page(request, relay_state)

    def _persons_page(self, request: idp.AuthnRequestInfo, relay_state: str | None) -> bytes:
        hidden = {
            "acs_url": request.acs_url,
            "sp_entity_id": request.issuer,
            "in_response_to": request.id,
        }
        if relay_state is not None:
            hidden["RelayState"] = relay_state
        hidden_html = "\n".join(
            f'<input type="hidden" name="{_e(name)}" value="{_e(value)}">'
            for name, value in hidden.items()
        )
        persons_html = "\n".join(
            '<div class="choice">'
            f'<input type="radio" name="personnummer" id="person-{p.personnummer}" '
            f'value="{p.personnummer}" required{" checked" if i == 0 else ""}>'
            f'<label for="person-{p.personnummer}">{_e(p.display_name)}, '
            f'<span class="nowrap">{_e(p.formatted_personnummer)}</span></label></div>'
            for i, p in enumerate(PERSONS)
        )
        loa_html = "\n".join(
            f'<option value="{_e(uri)}"{" selected" if i == 0 else ""}>{_e(text)}</option>'
            for i, (uri, text) in enumerate(LOA_CHOICES)
        )
        force_html = (
            '<p class="note"><strong>Tjänsten ber dig legitimera dig på nytt.</strong></p>\n'
            if request.force_authn
            else ""
        )
        asked_html = (
            '<p class="small">Tjänsten begär tillitsnivå: '
            + ", ".join(f"<code>{_e(ref)}</code>" for ref in request.requested_authn_context)
            + "</p>\n"
            if request.requested_authn_context
            else ""
        )
        body = (
            f"<h1>{_e(TITLE)}</h1>\n"
            '<p class="note">Det här är en identitetsleverantör för test, inte en riktig '
            "e-legitimation. Personerna nedan har testpersonnummer från Skatteverket och finns "
            "inte på riktigt. Välj vem du vill legitimera dig som.</p>\n"
            f"{force_html}"
            f'<p class="small">Tjänst: <span class="wrap">{_e(request.issuer)}</span></p>\n'
            f"{asked_html}"
            f'<form method="post" action="{_e(self.base_url)}/login">\n'
            f"{hidden_html}\n"
            f"<fieldset>\n<legend>Testperson</legend>\n{persons_html}\n</fieldset>\n"
            '<label for="loa">Tillitsnivå</label>\n'
            '<p class="small" id="loa-hint">LoA 3 är vad BankID och Freja+ ger. Välj LoA 2 för '
            "att prova att tjänsten nekar en för låg tillitsnivå.</p>\n"
            f'<select name="loa" id="loa" aria-describedby="loa-hint">\n{loa_html}\n</select>\n'
            '<button type="submit">Legitimera</button>\n'
            "</form>"
        )
        return _page(TITLE, body)

    def _login(self, environ: WSGIEnvironment, method: str) -> tuple[str, str, bytes]:
        form = self._form(environ, "POST")
        person = by_number(form.get("personnummer", ""))
        if person is None:
            raise _BadRequest("no such test person")
        loa = form.get("loa", idp.LOA3)
        if loa not in {uri for uri, _ in LOA_CHOICES}:
            raise _BadRequest("unknown level of assurance")
        acs_url = form.get("acs_url", "")
        sp_entity_id = form.get("sp_entity_id", "")
        in_response_to = form.get("in_response_to", "")
        if not acs_url.startswith(("http://", "https://")) or not sp_entity_id:
            raise _BadRequest("the form lacks the service's ACS URL or entity id")
        saml_response = idp.make_response(
            acs_url=acs_url,
            sp_entity_id=sp_entity_id,
            in_response_to=in_response_to or None,
            person=person,
            loa=loa,
            base_url=self.base_url,
            key_dir=self.key_dir,
        )
        logger.info("Response for %s to %s (%s)", person.display_name, acs_url, loa)
        relay_state = form.get("RelayState")
        relay_html = (
            f'<input type="hidden" name="RelayState" value="{_e(relay_state)}">\n'
            if relay_state is not None
            else ""
        )
        body = (
            "<h1>Du är legitimerad</h1>\n"
            f"<p>Du har legitimerat dig som {_e(person.display_name)} i testlegitimeringen. "
            "Du skickas nu tillbaka till tjänsten.</p>\n"
            f'<form method="post" action="{_e(acs_url)}" id="saml-response">\n'
            f'<input type="hidden" name="SAMLResponse" value="{_e(saml_response)}">\n'
            f"{relay_html}"
            '<button type="submit">Fortsätt till tjänsten</button>\n'
            "</form>"
        )
        # Submits the form at once, as an identity provider's POST binding page does; the
        # button is there for when scripts are off.
        script = '<script>document.getElementById("saml-response").submit();</script>\n'
        return "200 OK", "text/html; charset=utf-8", _page(TITLE, body, script=script)


# --- serving


class _Handler(WSGIRequestHandler):
    """wsgiref's handler, logging through `logging` instead of onto stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


class DevIdPServer(ThreadingMixIn, WSGIServer):
    """wsgiref's server, a thread per request, with the address it is reached at and a `stop`."""

    daemon_threads = True
    base_url: str = ""
    thread: threading.Thread | None = None

    def stop(self) -> None:
        """Stop serving (if started in a thread, wait for it) and close the socket."""
        if self.thread is not None:
            self.shutdown()
            self.thread.join(timeout=5)
            self.thread = None
        self.server_close()


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):  # noqa: S104 (the address served on, not bound here)
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def make_server(
    host: str,
    port: int,
    base_url: str | None = None,
    key_dir: str | os.PathLike[str] | None = None,
) -> DevIdPServer:
    """A bound server, not yet serving. Port 0 takes a free port; `base_url` defaults to
    http://host:port with the port actually bound."""
    server = DevIdPServer((host, port), _Handler)
    server.base_url = (base_url or f"http://{_url_host(host)}:{server.server_port}").rstrip("/")
    server.set_app(DevIdPApp(server.base_url, key_dir=key_dir))
    # Make the key (first run only) and pysaml2's set-up now, not in the first request.
    keys.idp_key_pair(key_dir)
    idp.metadata_xml(server.base_url, key_dir=key_dir)
    return server


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    base_url: str | None = None,
    key_dir: str | os.PathLike[str] | None = None,
) -> tuple[DevIdPServer, str]:
    """Serve in a daemon thread; returns the server (`server.stop()` ends it) and its base URL."""
    server = make_server(host, port, base_url=base_url, key_dir=key_dir)
    server.thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name=f"devidp {server.base_url}",
        daemon=True,
    )
    server.thread.start()
    return server, server.base_url


def stop(server: DevIdPServer) -> None:
    """Stop a server from `start_in_thread` (the same as `server.stop()`)."""
    server.stop()
