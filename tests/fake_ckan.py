"""A local stand-in for data.nsw.gov.au's CKAN Action API, with faults to inject.

It serves package_show, datastore_search (offset paging; `_links.next` present on every page, relative and
without the /data prefix, no `_id` column, every field text) and resource downloads, in the shapes described in
shared/data/ckan-examples/README.md. It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

API = "/data/api/3/action"


class FakePortal:
    def __init__(self, slow_seconds: float = 2.0):
        self.packages: dict[str, list[dict]] = defaultdict(list)
        self.downloads: dict[str, bytes] = {}
        self.datastores: dict[str, tuple[list[str], list[dict]]] = {}
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.sticky_faults: dict[str, str] = {}
        self.requests: list[str] = []
        self.slow_seconds = slow_seconds
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
            package_id, resource_id, filename, self.url + path, "CSV", False, last_modified, declared_hash
        )
        return path

    def add_datastore(
        self, package_id: str, resource_id: str, fields: list[str], records: list[dict], last_modified: str
    ) -> None:
        self.datastores[resource_id] = (fields, records)
        self._add_resource(
            package_id,
            resource_id,
            resource_id,
            f"{self.url}/datastore/dump/{resource_id}",
            "CSV",
            True,
            last_modified,
            "",
        )

    def _add_resource(self, package_id, resource_id, name, url, fmt, active, last_modified, declared_hash):
        self.packages[package_id].append(
            {
                "datastore_active": active,
                "format": fmt,
                "hash": declared_hash,
                "id": resource_id,
                "last_modified": last_modified,
                "name": name,
                "package_id": package_id,
                "url": url,
            }
        )

    # -- faults: a path prefix answers with the listed faults in turn, or always with a sticky one ---------
    def fail(self, prefix: str, *faults: str) -> None:
        self.faults[prefix].extend(faults)

    def fail_always(self, prefix: str, fault: str) -> None:
        self.sticky_faults[prefix] = fault

    def _fault_for(self, path: str) -> str | None:
        for prefix, fault in self.sticky_faults.items():
            if path.startswith(prefix):
                return fault
        for prefix, queue in self.faults.items():
            if path.startswith(prefix) and queue:
                return queue.pop(0)
        return None

    # -- responses ----------------------------------------------------------------------------------------
    def package_show(self, query: dict) -> dict:
        package_id = query["id"][0]
        if package_id not in self.packages:
            return {
                "help": self._help("package_show"),
                "success": False,
                "error": {"message": "Not found", "__type": "Not Found Error"},
            }
        return {
            "help": self._help("package_show"),
            "success": True,
            "result": {
                "author": "NSW Department of Education",
                "id": package_id,
                "isopen": True,
                "license_id": "cc-by",
                "license_title": "Creative Commons Attribution",
                "name": package_id,
                "num_resources": len(self.packages[package_id]),
                "resources": self.packages[package_id],
                "title": package_id,
            },
        }

    def datastore_search(self, query: dict) -> dict:
        resource_id = query["resource_id"][0]
        limit = int(query.get("limit", ["100"])[0])
        offset = int(query.get("offset", ["0"])[0])
        fields, records = self.datastores[resource_id]
        base = f"/api/3/action/datastore_search?resource_id={resource_id}&limit={limit}"
        return {
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
                "total": len(records),
                "total_was_estimated": False,
            },
        }

    def _help(self, action: str) -> str:
        return f"{self.url}{API}/help_show?name={action}"

    def _handler(self):
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                portal.requests.append(self.path)
                fault = portal._fault_for(parts.path)
                if fault == "500":
                    return self._send(500, b"Internal Server Error", "text/plain")
                if fault == "slow":
                    time.sleep(portal.slow_seconds)
                query = parse_qs(parts.query)
                if parts.path == f"{API}/package_show":
                    return self._json(portal.package_show(query))
                if parts.path == f"{API}/datastore_search":
                    return self._json(portal.datastore_search(query))
                if parts.path in portal.downloads:
                    body = portal.downloads[parts.path]
                    if fault == "truncate":
                        return self._send(200, body, "text/csv", cut=len(body) // 2)
                    return self._send(200, body, "text/csv")
                return self._send(404, b"Not Found", "text/plain")

            def _json(self, body: dict):
                self._send(200, json.dumps(body).encode(), "application/json")

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
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
