"""A client for the CKAN Action API of data.nsw.gov.au: package_show, resource downloads, datastore_search.

HTTP goes through dlt's retrying client (timeouts, retries with exponential backoff on 429/5xx and connection
errors); datastore paging uses dlt's REST client with an offset paginator that stops at `result.total` or an
empty page, because the portal emits `_links.next` even on the last page.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

API_PATH = "/data/api/3/action"


class PortalError(Exception):
    """The portal could not be reached, or answered with something other than what was asked for."""


@dataclass
class CkanResource:
    id: str
    url: str
    datastore_active: bool
    last_modified: str | None
    hash: str | None


@dataclass
class DatastoreTable:
    fields: list[str]
    records: list[dict]


class CkanClient:
    def __init__(self, portal_url: str, timeout: float = 60, attempts: int = 5, backoff: float = 1.0):
        self.portal_url = portal_url.rstrip("/")
        self._http = Client(
            request_timeout=timeout,
            request_max_attempts=attempts,
            request_backoff_factor=backoff,
            raise_for_status=False,
        )
        self._rest = RESTClient(base_url=self.portal_url + API_PATH, session=self._http.session)
        self.attempts = attempts

    def _get(self, url: str, params: dict | None = None) -> requests.Response:
        try:
            response = self._http.session.get(url, params=params)
        except requests.Timeout as exc:
            raise PortalError(f"{url} timed out after {self.attempts} attempts ({exc.__class__.__name__}).") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise PortalError(f"{url} was truncated on each of {self.attempts} attempts: {exc}") from exc
        except requests.RequestException as exc:
            raise PortalError(f"{url} failed after {self.attempts} attempts: {exc}") from exc
        if response.status_code != 200:
            raise PortalError(f"{response.url} answered HTTP {response.status_code} after {self.attempts} attempts.")
        return response

    def package_show(self, package_id: str) -> dict:
        response = self._get(f"{self.portal_url}{API_PATH}/package_show", params={"id": package_id})
        try:
            body = response.json()
        except ValueError as exc:
            raise PortalError(f"package_show for {package_id} did not return JSON.") from exc
        if not body.get("success"):
            raise PortalError(f"package_show for {package_id} failed: {body.get('error')}")
        return body["result"]

    def resource(self, package_id: str, resource_id: str) -> CkanResource:
        """Resolve a resource by id through its package (never by a hard-coded URL)."""
        for raw in self.package_show(package_id).get("resources", []):
            if raw.get("id") == resource_id:
                return CkanResource(
                    id=resource_id,
                    url=raw.get("url") or "",
                    datastore_active=bool(raw.get("datastore_active")),
                    last_modified=raw.get("last_modified") or raw.get("metadata_modified"),
                    hash=raw.get("hash") or None,
                )
        raise PortalError(f"Package {package_id} has no resource {resource_id} (it may have been replaced).")

    def download(self, url: str) -> bytes:
        """The whole body of a download, refusing a body shorter than its Content-Length."""
        response = self._get(url)
        expected = response.headers.get("Content-Length")
        if expected is not None and int(expected) != len(response.content):
            raise PortalError(f"{url} was truncated: {len(response.content)} of {expected} bytes arrived.")
        return response.content

    def datastore(self, resource_id: str, page_size: int = 1000) -> DatastoreTable:
        """Every record of a datastore resource, paged with offset/limit."""
        paginator = OffsetPaginator(
            limit=page_size, offset_param="offset", limit_param="limit", total_path="result.total"
        )
        fields: list[str] = []
        records: list[dict] = []
        total = None
        try:
            for page in self._rest.paginate(
                "/datastore_search",
                params={"resource_id": resource_id},
                paginator=paginator,
                data_selector="result.records",
            ):
                result = page.response.json()["result"]
                fields = fields or [f["id"] for f in result["fields"] if f["id"] != "_id"]
                total = result["total"]
                records.extend(page)
        except requests.RequestException as exc:
            raise PortalError(
                f"datastore_search for {resource_id} failed after {self.attempts} attempts: {exc}"
            ) from exc
        if total is not None and len(records) != total:
            raise PortalError(
                f"datastore_search for {resource_id} returned {len(records)} records; total says {total}."
            )
        return DatastoreTable(fields, records)
