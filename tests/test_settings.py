"""Where the package finds the project: its own checkout, the one NSW_DOE_PROJECT_DIR names, or a clear error."""

from pathlib import Path

import pytest

from nsw_doe import settings


def make_checkout(root: Path) -> Path:
    for name in settings.CHECKOUT_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    return root


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The package as pip would install it: settings.py in site-packages, no checkout around it."""
    site_packages = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    monkeypatch.setattr(settings, "__file__", str(site_packages / "nsw_doe" / "settings.py"))
    for variable in (settings.PROJECT_DIR_ENV, "NSW_DOE_SNAPSHOT_DIR", "NSW_DOE_WAREHOUSE_DIR"):
        monkeypatch.delenv(variable, raising=False)
    return site_packages


def test_a_checkout_runs_from_its_own_directory(monkeypatch):
    monkeypatch.delenv(settings.PROJECT_DIR_ENV, raising=False)
    root = Path(__file__).resolve().parents[1]
    assert settings.project_dir() == settings.PROJECT_ROOT == root


def test_an_installed_package_uses_the_checkout_the_environment_names(installed, tmp_path, monkeypatch):
    checkout = make_checkout(tmp_path / "clone")
    monkeypatch.setenv(settings.PROJECT_DIR_ENV, str(checkout))
    assert settings.project_dir() == settings.PROJECT_ROOT == checkout
    loaded = settings.load_settings()
    assert loaded.snapshot_dir == checkout / "data" / "sources"
    assert loaded.warehouse_dir == checkout / "warehouse"


def test_an_installed_package_without_a_checkout_says_what_is_missing_and_what_to_set(installed):
    with pytest.raises(settings.ProjectDirError) as raised:
        settings.load_settings()
    message = str(raised.value)
    assert str(installed / "nsw_doe") in message
    assert "transform/dbt_project.yml or data/sources/manifest.yml" in message
    assert "Set NSW_DOE_PROJECT_DIR" in message
    with pytest.raises(settings.ProjectDirError):
        settings.PROJECT_ROOT  # noqa: B018 - resolving it is the point


def test_directories_named_in_the_environment_need_no_checkout(installed, tmp_path, monkeypatch):
    monkeypatch.setenv("NSW_DOE_SNAPSHOT_DIR", str(tmp_path / "sources"))
    monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    loaded = settings.load_settings()
    assert (loaded.snapshot_dir, loaded.warehouse_dir) == (tmp_path / "sources", tmp_path / "warehouse")


def test_a_named_directory_that_is_not_a_checkout_is_named(tmp_path, monkeypatch):
    make_checkout(tmp_path / "half")
    (tmp_path / "half" / "transform" / "dbt_project.yml").unlink()
    monkeypatch.setenv(settings.PROJECT_DIR_ENV, str(tmp_path / "half"))
    with pytest.raises(
        settings.ProjectDirError, match=r"NSW_DOE_PROJECT_DIR names .*half.* no transform/dbt_project\.yml\.$"
    ):
        settings.project_dir()
