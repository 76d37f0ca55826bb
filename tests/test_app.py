"""The report app as a whole (page by page tests live in test_app_*.py): which build it shows, how it follows a new
publish, and what it says with no warehouse."""

from nsw_doe.app.serve import streamlit_command
from tests.conftest import open_page, publish_a_new_build


def sidebar_caption(app) -> str:
    return " ".join(caption.value for caption in app.sidebar.caption)


def test_every_page_says_which_build_and_sources_it_shows(built, con):
    built_at, commit = con.execute("select built_at, code_version from audit.build").fetchone()
    school_list = con.execute("select max(vintage) from audit.source_files where dataset_id = 'master_dataset'")
    caption = sidebar_caption(open_page("about"))
    assert built_at.strftime("%d %b %Y %H:%M UTC") in caption
    assert f"school list extracted {school_list.fetchone()[0]}" in caption
    assert (commit or "") in caption
    assert "NSW Department of Education, via Data.NSW, CC BY 4.0" in caption


def test_a_new_build_is_shown_on_the_next_run_without_a_restart(own_warehouse):
    app = open_page("about")
    assert "01 Jan 2031 09:30 UTC" not in sidebar_caption(app)
    publish_a_new_build(own_warehouse, "update audit.build set built_at = timestamptz '2031-01-01 09:30:00+00'")
    app.run()
    assert not app.exception
    assert "Built 01 Jan 2031 09:30 UTC" in sidebar_caption(app)


def test_with_no_warehouse_the_app_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(tmp_path / "nothing"))
    app = open_page("overview")
    assert [title.value for title in app.title] == ["No warehouse yet"]
    assert "make run" in app.info[0].value and str(tmp_path / "nothing") in app.info[0].value
    assert not list(tmp_path.iterdir()), "the app creates nothing"


def test_a_warehouse_built_before_the_audit_tables_asks_for_a_rebuild(own_warehouse):
    publish_a_new_build(own_warehouse, "drop schema audit cascade")
    app = open_page("overview")
    assert [title.value for title in app.title] == ["This warehouse is older than the app"]
    assert "make run" in app.info[0].value


def test_the_app_serves_on_loopback_only_with_no_telemetry():
    command = streamlit_command(8765)
    assert {"--server.address=127.0.0.1", "--server.port=8765", "--browser.gatherUsageStats=false"} <= set(command)


def test_a_published_file_that_is_not_readable_is_named_with_what_to_do(own_warehouse):
    publish_a_new_build(own_warehouse, "select 1")  # the good build becomes the previous one
    own_warehouse.published.write_bytes(own_warehouse.published.read_bytes()[:5000])  # then a disk fills up
    app = open_page("school", school="1001")
    assert [title.value for title in app.title] == ["The published warehouse is not readable"]
    message = app.info[0].value
    assert str(own_warehouse.published) in message and "nsw-doe restore" in message
