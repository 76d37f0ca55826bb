"""What the portal holds for the manifest's packages, resource by resource, and what changed between two looks.

A resource is seen as its id, `last_modified` and `size`. The package-level `metadata_modified` is left out on
purpose: the portal bumps it on edits that touch no file, and often does on the master dataset, so
watching it would start builds for nothing.
"""

from nsw_doe.sources.catalog import Manifest
from nsw_doe.sources.ckan import CkanClient

# package id -> resource id -> {"last_modified": ..., "size": ...}; plain JSON, so it can be a sensor's cursor
PortalState = dict[str, dict[str, dict[str, str | int | None]]]


def watched_packages(manifest: Manifest) -> list[str]:
    """The CKAN packages the manifest's datasets come from, each once, in manifest order."""
    return list(dict.fromkeys(d.ckan_package_id for d in manifest.datasets if d.ckan_package_id))


def portal_state(client: CkanClient, package_ids: list[str]) -> PortalState:
    """Every resource of each package as package_show lists it now (a PortalError if the portal fails)."""
    return {
        package_id: {
            r.id: {"last_modified": r.last_modified, "size": r.size}
            for r in client.resources(package_id, " (watching for new data)")
        }
        for package_id in package_ids
    }


def changes(before: PortalState, after: PortalState) -> list[str]:
    """One line per resource added, removed or changed (last_modified or size) from `before` to `after`."""
    lines = []
    for package_id, resources in after.items():
        known = before.get(package_id)
        if known is None:  # a package newly in the manifest: nothing to compare it with yet
            continue
        for resource_id, seen in resources.items():
            if resource_id not in known:
                lines.append(f"package {package_id}: new resource {resource_id}")
                continue
            differences = [
                f"{field} {known[resource_id].get(field)} -> {value}"
                for field, value in seen.items()
                if known[resource_id].get(field) != value
            ]
            if differences:
                lines.append(f"package {package_id}: resource {resource_id} {', '.join(differences)}")
        lines += [f"package {package_id}: resource {r} removed" for r in known if r not in resources]
    return lines
