"""A client for the CKAN Action API of data.nsw.gov.au: package_show, resource downloads, datastore_search.

HTTP goes through dlt's retrying client: timeouts, and retries with exponential backoff on 429/5xx, timeouts,
dropped connections and truncated bodies. Any other answer is final: a 4xx, or a CKAN envelope with
`success: false`, is reported with the portal's own error and not retried.

`datastore_search` is paged by offset. The offset advances by the records a page actually held, because CKAN
silently caps `limit` at its `ckan.datastore.search.rows_max`; paging stops at `result.total` or at an empty page
(the portal emits `_links.next` even on the last page), and a table whose record count differs from
`result.total` is refused. Pages are fetched by dlt's REST client with an offset paginator that advances by the
records held, through the same retrying session; every request, page or not, is checked by one response hook
(`CkanClient._check`) and whatever still fails once retries are spent is reported by `CkanClient._failure`.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.requests.retry import DEFAULT_RETRY_STATUS
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
    size: int | None = None  # bytes, as the portal declares them (null for many datastore resources)


@dataclass
class DatastoreTable:
    fields: list[str]
    records: list[dict]


def _ckan_error(body: object) -> str:
    """The `error` of a CKAN envelope as one line, e.g. `Validation Error: offset: Invalid integer`."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return repr(error) if error else "no error given"
    kind = error.get("__type", "error")
    details = [str(error["message"])] if "message" in error else []
    details += [f"{k}: {v}" for k, v in error.items() if k not in ("__type", "message")]
    return f"{kind}: {'; '.join(details)}" if details else kind


class _HeldRecordsPaginator(OffsetPaginator):
    """dlt's offset paginator, advancing by the records a page held rather than by `limit` (CKAN silently caps
    `limit` at `ckan.datastore.search.rows_max`); it stops at `result.total` or at an empty page."""

    def __init__(self, limit: int):
        super().__init__(limit=limit, total_path="result.total")

    def update_state(self, response: requests.Response, data: list | None = None) -> None:
        self.value_step = len(data or [])
        super().update_state(response, data)


class CkanClient:
    def __init__(self, portal_url: str, timeout: float = 60, attempts: int = 5, backoff: float = 1.0):
        self.portal_url = portal_url.rstrip("/")
        self._http = Client(
            request_timeout=timeout,
            request_max_attempts=attempts,
            request_backoff_factor=backoff,
            raise_for_status=False,
        )
        self.timeout = timeout
        self.attempts = attempts

    def _check(self, response: requests.Response, what: str, action: bool = False) -> dict | None:
        """A response hook's check, run on every attempt inside the retrying session: a status it retries raises
        HTTPError (so it is retried, then re-raised); any other answer than a 200 (with a CKAN envelope saying
        `success: true` with a result, for an `action`) raises PortalError, which is final. Returns the result."""
        if response.status_code in DEFAULT_RETRY_STATUS:
            raise requests.HTTPError(f"HTTP {response.status_code}", response=response)
        if response.status_code != 200:
            try:
                detail = f" ({_ckan_error(response.json())})"
            except ValueError:
                detail = ""
            raise PortalError(f"{what} answered HTTP {response.status_code}{detail}.")
        if not action:
            return None
        try:
            body = response.json()
        except ValueError as exc:
            raise PortalError(f"{what} did not answer JSON ({response.headers.get('Content-Type')}).") from exc
        if not isinstance(body, dict) or body.get("success") is not True:
            raise PortalError(f"{what} answered success: false ({_ckan_error(body)}).")
        if not isinstance(body.get("result"), dict):
            raise PortalError(f"{what} answered success: true without a result object.")
        return body["result"]

    def _failure(self, exc: requests.RequestException, what: str) -> PortalError:
        """What a request that still raised once the retrying session gave up is reported as."""
        if isinstance(exc, requests.HTTPError) and exc.response is not None:
            return PortalError(f"{what} answered HTTP {exc.response.status_code} on each of {self.attempts} attempts.")
        if isinstance(exc, requests.Timeout):
            return PortalError(
                f"{what} timed out on each of {self.attempts} attempts ({exc.__class__.__name__}, "
                f"timeout {self.timeout:g}s)."
            )
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return PortalError(f"{what} was truncated on each of {self.attempts} attempts: {exc}")
        if isinstance(exc, requests.ConnectionError):
            return PortalError(f"{what} lost its connection on each of {self.attempts} attempts: {exc}")
        return PortalError(f"{what} failed: {exc}")

    def _get(
        self, url: str, params: dict | None = None, what: str | None = None, action: bool = False
    ) -> requests.Response:
        """A 200 response (a CKAN `success: true` for an `action`), or a PortalError naming what was asked (`what`,
        else the URL) and what came back."""
        what = what or url

        def check(response: requests.Response, *args, **kwargs) -> None:  # a hook must return None
            self._check(response, what, action)

        try:
            return self._http.session.get(url, params=params, hooks={"response": check})
        except requests.RequestException as exc:
            raise self._failure(exc, what) from exc

    def _action(self, action: str, params: dict, what: str) -> dict:
        """The `result` of a CKAN action that answered `success: true`."""
        return self._get(f"{self.portal_url}{API_PATH}/{action}", params, what, action=True).json()["result"]

    def package_show(self, package_id: str, purpose: str = "") -> dict:
        return self._action("package_show", {"id": package_id}, f"package_show for package {package_id}{purpose}")

    def resources(self, package_id: str, purpose: str = "") -> list[CkanResource]:
        """Every resource the package lists, as package_show describes it."""
        package = self.package_show(package_id, purpose)
        return [
            CkanResource(
                id=str(raw.get("id")),
                url=raw.get("url") or "",
                datastore_active=bool(raw.get("datastore_active")),
                last_modified=raw.get("last_modified") or raw.get("metadata_modified"),
                hash=raw.get("hash") or None,
                size=int(raw["size"]) if str(raw.get("size")).isdigit() else None,
            )
            for raw in package.get("resources") or []
            if isinstance(raw, dict)
        ]

    def resource(self, package_id: str, resource_id: str) -> CkanResource:
        """Resolve a resource by id through its package (never by a hard-coded URL)."""
        resources = self.resources(package_id, f" (resolving resource {resource_id})")
        for resource in resources:
            if resource.id == resource_id:
                return resource
        listed = ", ".join(r.id for r in resources) or "none"
        raise PortalError(
            f"package {package_id} has no resource {resource_id} (it lists: {listed}); "
            "it may have been replaced: find the new resource id and update the manifest."
        )

    def download(self, url: str) -> bytes:
        """The whole body of a download, refusing a body shorter than its Content-Length."""
        response = self._get(url)
        expected = response.headers.get("Content-Length")
        if expected is not None and int(expected) != len(response.content):
            raise PortalError(f"{url} was truncated: {len(response.content)} of {expected} bytes arrived.")
        return response.content

    def datastore(self, resource_id: str, page_size: int = 1000) -> DatastoreTable:
        """Every record of a datastore resource, paged by dlt's REST client through the same retrying session."""
        paginator = _HeldRecordsPaginator(page_size)

        def what() -> str:  # while a page is asked for, the paginator's offset is that page's
            return f"datastore_search for resource {resource_id} at offset {paginator.current_value}"

        def check(response: requests.Response, *args, **kwargs) -> None:  # a hook must return None
            result = self._check(response, what(), action=True)
            try:
                int(result["total"])
                list(result["records"])
                [f["id"] for f in result["fields"]]
            except (KeyError, TypeError, ValueError) as exc:
                raise PortalError(f"{what()} answered a result without records, fields and total ({exc!r}).") from exc

        rest = RESTClient(base_url=self.portal_url + API_PATH, session=self._http.session)
        fields: list[str] | None = None
        records: list[dict] = []
        total = 0
        try:
            for page in rest.paginate(
                "datastore_search",
                params={"resource_id": resource_id},
                paginator=paginator,
                data_selector="result.records",
                hooks={"response": [check]},
            ):
                result = page.response.json()["result"]
                fields = fields or [f["id"] for f in result["fields"] if f["id"] != "_id"]
                total = int(result["total"])
                records.extend(page)
        except requests.RequestException as exc:
            raise self._failure(exc, what()) from exc
        if len(records) != total:
            raise PortalError(
                f"datastore_search for resource {resource_id} returned {len(records)} records; "
                f"its result.total says {total}. Refusing a partial table."
            )
        return DatastoreTable(fields or [], records)
