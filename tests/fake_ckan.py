"""A local stand-in for data.nsw.gov.au's CKAN Action API, with faults to inject and a log of every request.

It serves package_show, datastore_search (offset paging; `_links.next` present on every page, relative and
without the /data prefix, no `_id` column, every field text; `limit` capped at `rows_max` as CKAN's
`ckan.datastore.search.rows_max` does, the applied limit echoed) and resource downloads, in the shapes described in
shared/data/ckan-examples/README.md. Unknown packages and datastore resources answer HTTP 404 with a CKAN error
envelope, as CKAN does. It binds to 127.0.0.1 only.

Each request is logged (path, query parameters, arrival time) in `requests`, so tests assert how many requests were
made and which: retries, backoff, the offsets paged.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

API = "/data/api/3/action"
FAULTS = {
    "500": "HTTP 500 with a plain-text body",
    "slow": "sleep `slow_seconds` before answering (a client timeout)",
    "truncate": "send half of a download's body, then close the connection",
    "success_false": "HTTP 200 with a CKAN envelope saying `success: false`",
    "409": "HTTP 409 with a CKAN `Validation Error` envelope (`success: false`)",
}


@dataclass
class Request:
    """One request as the fake saw it."""

    path: str
    params: dict[str, str]
    at: float  # time.monotonic() on arrival


@dataclass
class _FaultRule:
    prefix: str
    params: dict[str, str]
    faults: list[str] = field(default_factory=list)
    sticky: str | None = None

    def matches(self, path: str, params: dict[str, str]) -> bool:
        return path.startswith(self.prefix) and all(params.get(k) == v for k, v in self.params.items())


class FakePortal:
    def __init__(self, slow_seconds: float = 2.0, rows_max: int = 32000):
        self.packages: dict[str, list[dict]] = defaultdict(list)
        # package-level metadata_modified: any edit of a package bumps it, even one that leaves its files alone
        self.metadata_modified: dict[str, str] = defaultdict(lambda: "2026-04-07T00:00:00")
        self.downloads: dict[str, bytes] = {}
        self.datastores: dict[str, tuple[list[str], list[dict], int | None]] = {}
        self.rules: list[_FaultRule] = []
        self.requests: list[Request] = []
        self.slow_seconds = slow_seconds
        self.rows_max = rows_max
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- content -------------------------------------------------------------------------------------
    def add_download(
        self, package_id: str, resource_id: str, filename: str, data: bytes, last_modified: str, declared_hash: str = ""
    ) -> str:
        path = f"/data/dataset/{package_id}/resource/{resource_id}/download/{filename}"
        self.downloads[path] = data
        self._add_resource(
            package_id, resource_id, filename, self.url + path, "CSV", False, last_modified, declared_hash, len(data)
        )
        return path

    def add_datastore(
        self,
        package_id: str,
        resource_id: str,
        fields: list[str],
        records: list[dict],
        last_modified: str,
        claimed_total: int | None = None,
    ) -> None:
        """A datastore resource; `claimed_total` makes `result.total` say something other than the record count."""
        self.datastores[resource_id] = (fields, records, claimed_total)
        self._add_resource(
            package_id,
            resource_id,
            resource_id,
            f"{self.url}/datastore/dump/{resource_id}",
            "CSV",
            True,
            last_modified,
            "",
            None,
        )

    def _add_resource(self, package_id, resource_id, name, url, fmt, active, last_modified, declared_hash, size):
        self.packages[package_id].append(
            {
                "datastore_active": active,
                "format": fmt,
                "hash": declared_hash,
                "id": resource_id,
                "last_modified": last_modified,
                "name": name,
                "package_id": package_id,
                "size": size,
                "url": url,
            }
        )

    # -- faults: requests to a path prefix (and, if given, with these query parameters) answer with the listed
    # faults in turn, or always with a sticky one ---------------------------------------------------------------
    def fail(self, prefix: str, *faults: str, **params: str) -> None:
        assert all(f in FAULTS for f in faults), faults
        self.rules.append(_FaultRule(prefix, params, list(faults)))

    def fail_always(self, prefix: str, fault: str, **params: str) -> None:
        assert fault in FAULTS, fault
        self.rules.append(_FaultRule(prefix, params, sticky=fault))

    def _fault_for(self, path: str, params: dict[str, str]) -> str | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(path, params) and (rule.sticky or rule.faults):
                    return rule.sticky or rule.faults.pop(0)
        return None

    # -- the request log ---------------------------------------------------------------------------------------
    def requests_to(self, fragment: str) -> list[Request]:
        """The requests whose path contains `fragment` (an action name, a download path), in order."""
        return [r for r in self.requests if fragment in r.path]

    def offsets(self, resource_id: str) -> list[int]:
        """The offsets of every datastore_search request for a resource, retries included, in order."""
        return [
            int(r.params.get("offset", 0))
            for r in self.requests_to("/datastore_search")
            if r.params.get("resource_id") == resource_id
        ]

    # -- responses ----------------------------------------------------------------------------------------
    def package_show(self, query: dict) -> tuple[int, dict]:
        package_id = query.get("id", "")
        if package_id not in self.packages:
            return 404, self.error("package_show", "Not Found Error", message="Not found")
        return 200, {
            "help": self._help("package_show"),
            "success": True,
            "result": {
                "author": "NSW Department of Education",
                "id": package_id,
                "isopen": True,
                "license_id": "cc-by",
                "license_title": "Creative Commons Attribution",
                "metadata_modified": self.metadata_modified[package_id],
                "name": package_id,
                "num_resources": len(self.packages[package_id]),
                "resources": self.packages[package_id],
                "title": package_id,
            },
        }

    def datastore_search(self, query: dict) -> tuple[int, dict]:
        resource_id = query.get("resource_id", "")
        if resource_id not in self.datastores:
            return 404, self.error(
                "datastore_search", "Not Found Error", message=f'Not found: Resource "{resource_id}" was not found.'
            )
        limit = min(int(query.get("limit", "100")), self.rows_max)
        offset = int(query.get("offset", "0"))
        fields, records, claimed_total = self.datastores[resource_id]
        base = f"/api/3/action/datastore_search?resource_id={resource_id}&limit={limit}"
        return 200, {
            "help": self._help("datastore_search"),
            "success": True,
            "result": {
                "include_total": True,
                "limit": limit,
                "records_format": "objects",
                "resource_id": resource_id,
                "total_estimation_threshold": None,
                "records": records[offset : offset + limit],
                "fields": [{"id": f, "type": "text"} for f in fields],
                "_links": {"start": base, "next": base + "&" + urlencode({"offset": offset + limit})},
                "total": len(records) if claimed_total is None else claimed_total,
                "total_was_estimated": False,
            },
        }

    def error(self, action: str, kind: str, **details) -> dict:
        """CKAN's envelope for a failed action."""
        return {"help": self._help(action), "success": False, "error": {"__type": kind, **details}}

    def _help(self, action: str) -> str:
        return f"{self.url}{API}/help_show?name={action}"

    def _handler(self):
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                portal.requests.append(Request(parts.path, params, time.monotonic()))
                fault = portal._fault_for(parts.path, params)
                action = parts.path.removeprefix(f"{API}/")
                if fault == "500":
                    return self._send(500, b"Internal Server Error", "text/plain")
                if fault == "success_false":
                    return self._json(200, portal.error(action, "Internal Error", message="Fake portal failure"))
                if fault == "409":
                    return self._json(409, portal.error(action, "Validation Error", offset=["Invalid integer"]))
                if fault == "slow":
                    time.sleep(portal.slow_seconds)
                if parts.path == f"{API}/package_show":
                    return self._json(*portal.package_show(params))
                if parts.path == f"{API}/datastore_search":
                    return self._json(*portal.datastore_search(params))
                if parts.path in portal.downloads:
                    body = portal.downloads[parts.path]
                    if fault == "truncate":
                        return self._send(200, body, "text/csv", cut=len(body) // 2)
                    return self._send(200, body, "text/csv")
                return self._send(404, b"Not Found", "text/plain")

            def _json(self, status: int, body: dict):
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status: int, body: bytes, content_type: str, cut: int | None = None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body if cut is None else body[:cut])
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    return
                if cut is not None:
                    self.close_connection = True

        return Handler

    def __enter__(self) -> FakePortal:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
