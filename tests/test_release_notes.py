"""audit.build_diff and audit.release_notes: stored by every publish, carried forward, printed by `nsw-doe notes`."""

import shutil

import duckdb
import pytest

from nsw_doe.build import run_build
from nsw_doe.build_diff import record_build_diff
from nsw_doe.settings import load_settings
from nsw_doe.table_keys import project_table_keys
from nsw_doe.warehouse import Warehouse
from tests.conftest import nsw_doe
from tests.edited_build import edited_copy, make_edits


@pytest.fixture(scope="module")
def keys(built):
    return project_table_keys()


def notes_of(database) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select built_at, topic, sentence from audit.release_notes order by built_at desc, note_order"
        ).fetchall()


def built_at(database):
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select built_at from audit.build").fetchall()[0][0]


def later_build(database, hours: int) -> None:
    """Stamp a copied build as a new build would be (audit.build is written by every build)."""
    with duckdb.connect(str(database)) as con:
        con.execute(f"update audit.build set built_at = built_at + interval {hours} hour")


def test_a_first_build_records_that_nothing_was_published(built, con):
    _, summary = built
    assert con.execute("select table_name, status, compared_with_built_at from audit.build_diff").fetchall() == [
        (None, "nothing_published", None)
    ]
    first_built = con.execute("select built_at from audit.build").fetchall()[0][0]
    rows = con.execute("select built_at, note_order, topic from audit.release_notes").fetchall()
    assert rows == [(first_built, 1, "first_build")]
    assert summary.diff_headline.startswith("Nothing was published before this build")
    assert summary.release_notes == [con.execute("select sentence from audit.release_notes").fetchall()[0][0]]


def test_the_release_notes_name_the_edits(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    edits = make_edits(published, tmp_path / "new.duckdb")
    later_build(edits.new, 1)
    record = record_build_diff(edits.new, published, keys)

    notes = notes_of(edits.new)
    new_notes = [(topic, sentence) for when, topic, sentence in notes if when == built_at(edits.new)]
    assert record.notes == [sentence for _, sentence in new_notes]
    by_topic = {}
    for topic, sentence in new_notes:
        by_topic.setdefault(topic, []).append(sentence)
    assert set(by_topic) == {"schools_opened", "school_attributes", "facts"}
    (opened,) = by_topic["schools_opened"]
    assert opened.startswith("1 school opened") and f"{edits.new_school_name} ({edits.new_school_code})" in opened
    (attribute,) = by_topic["school_attributes"]
    assert attribute.startswith("1 school changed principal network")
    assert f"{edits.school_name} ({edits.school_code}): {edits.network_before} to {edits.network_after}" in attribute
    (fact,) = by_topic["facts"]
    assert fact.startswith("Enrolment:")
    assert f"{edits.enrolment_year} removed for 1 school ({edits.enrolment_school})" in fact
    # the replaced build's notes follow, unchanged
    assert [n for n in notes if n[0] != built_at(edits.new)] == notes_of(published)
    assert record.headline.startswith("Compared with the build it replaces: 2 tables changed: +1 row, -1 row")

    with duckdb.connect(str(edits.new), read_only=True) as con:
        stored = con.execute(
            "select table_name, added, removed, changed, changed_columns::varchar, compared_with_built_at "
            "from audit.build_diff where status != 'unchanged' order by table_name"
        ).fetchall()
    assert stored == [
        ("marts.dim__school", 1, 0, 1, '{"principal_network": 1}', built_at(published)),
        ("marts.fct__enrolment", 0, 1, 0, "{}", built_at(published)),
    ]


def test_the_state_headcount_note_compares_the_latest_year_with_the_year_before(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    with duckdb.connect(str(published), read_only=True) as con:
        year, headcount, before = con.execute(
            "select calendar_year, headcount, lag(headcount) over (order by calendar_year) "
            "from semantic.metrics_by_year where headcount is not null order by calendar_year desc limit 1"
        ).fetchall()[0]
    # the replaced build did not have the latest year yet
    old = edited_copy(published, tmp_path, f"delete from semantic.metrics_by_year where calendar_year = {year}")
    new = tmp_path / "new.duckdb"
    shutil.copy(published, new)
    record = record_build_diff(new, old, keys)
    change = (headcount - before) / before * 100
    direction = "above" if change >= 0 else "below"
    expected = f"The state's {year} headcount is {headcount:,}, {abs(change):.1f}% {direction} {year - 1} ({before:,})."
    assert expected in record.notes


def test_identical_builds_note_that_nothing_changed(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    new = edited_copy(published, tmp_path)
    later_build(new, 1)
    record = record_build_diff(new, published, keys)
    assert record.notes == ["No data changed since the build it replaces."]
    assert record.headline == "Compared with the build it replaces: no table changed."


def test_each_publish_carries_the_changelog_forward(own_warehouse, keys):
    first = notes_of(own_warehouse.published)
    build = own_warehouse.directory / "builds" / "next" / "nsw_doe.duckdb"
    build.parent.mkdir(parents=True)

    edits = make_edits(own_warehouse.published, build)
    later_build(build, 1)
    record_build_diff(build, own_warehouse.published, keys)
    own_warehouse.publish(build)
    second = notes_of(own_warehouse.published)

    # a third build closes the school the second opened
    shutil.copy(own_warehouse.published, build)
    later_build(build, 2)
    with duckdb.connect(str(build)) as con:
        con.execute("delete from marts.dim__school where school_code = ?", [edits.new_school_code])
    record_build_diff(build, own_warehouse.published, keys)
    own_warehouse.publish(build)
    third = notes_of(own_warehouse.published)

    assert second[len(second) - len(first) :] == first
    assert third[len(third) - len(second) :] == second
    newest = [sentence for when, _, sentence in third if when == built_at(own_warehouse.published)]
    assert len({when for when, *_ in third}) == 3
    (closed,) = [s for s in newest if s.startswith("1 school closed")]
    assert f"{edits.new_school_name} ({edits.new_school_code})" in closed

    latest = nsw_doe("notes")
    assert latest.returncode == 0, latest.stderr
    printed = [line.removeprefix("- ") for line in latest.stdout.splitlines() if line.startswith("- ")]
    assert printed == newest
    everything = nsw_doe("notes", "--all")
    assert everything.returncode == 0, everything.stderr
    printed = [line.removeprefix("- ") for line in everything.stdout.splitlines() if line.startswith("- ")]
    assert printed == [sentence for *_, sentence in third]


def test_a_second_real_build_stores_its_diff_and_carries_the_changelog_forward(own_warehouse):
    first_notes, first_built = notes_of(own_warehouse.published), built_at(own_warehouse.published)
    summary = run_build(load_settings())
    with own_warehouse.connect_read_only() as con:
        compared = con.execute("select distinct compared_with_built_at from audit.build_diff").fetchall()
    assert compared == [(first_built,)]
    notes = notes_of(own_warehouse.published)
    assert notes[len(notes) - len(first_notes) :] == first_notes
    newest = [sentence for when, _, sentence in notes if when == built_at(own_warehouse.published)]
    assert summary.release_notes == newest
    # the same code and snapshot build the same data (floats within the diff's tolerance)
    assert summary.diff_headline == "Compared with the build it replaces: no table changed."
    assert newest == ["No data changed since the build it replaces."]


def test_notes_explains_a_build_without_release_notes(own_warehouse):
    with duckdb.connect(str(own_warehouse.published)) as con:
        con.execute("drop table audit.release_notes")
    result = nsw_doe("notes")
    assert result.returncode == 1
    assert "has no audit.release_notes table" in " ".join(result.stderr.split())


def test_notes_without_a_published_build_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(tmp_path))
    result = nsw_doe("notes")
    assert result.returncode == 1
    assert f"No warehouse has been published at {tmp_path / 'nsw_doe.duckdb'}" in " ".join(result.stderr.split())


def test_a_failed_comparison_costs_the_build_nothing_but_its_diff(built, monkeypatch, tmp_path):
    import nsw_doe.build as build

    def broken(*_):
        raise duckdb.Error('Referenced column "headcount" not found\nin the old build')

    monkeypatch.setattr(build, "record_build_diff", broken)
    diff, warnings = build._record_diff(str(tmp_path / "new.duckdb"), Warehouse(built[0].warehouse_dir).published)
    assert diff is None
    assert warnings == [
        "The comparison with the build this one replaces failed, so it has no diff or release notes: "
        'Referenced column "headcount" not found in the old build'
    ]
    assert build._record_diff(str(tmp_path / "new.duckdb"), None) == (None, [])
