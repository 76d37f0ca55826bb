"""A copy of the shared build with known edits, for the diff and release-notes tests: the expected results are read
from the data before the edit, never copied from the code's output."""

import dataclasses
import shutil
from pathlib import Path

import duckdb


@dataclasses.dataclass(frozen=True)
class Edits:
    old: Path
    new: Path
    school_code: int  # its current dim__school row's principal_network changed
    school_name: str
    valid_from: str
    network_before: str
    network_after: str
    enrolment_school: int  # its fct__enrolment row of enrolment_year deleted
    enrolment_year: int
    new_school_code: int  # a new current dim__school row
    new_school_name: str
    new_valid_from: str


def edited_copy(published: Path, directory: Path, sql: str = "") -> Path:
    """A copy of `published` in `directory`, changed by `sql`."""
    copy = directory / "edited.duckdb"
    shutil.copy(published, copy)
    if sql:
        with duckdb.connect(str(copy)) as con:
            con.execute(sql)
    return copy


def make_edits(published: Path, new: Path) -> Edits:
    """Copy `published` to `new`: one school's principal network changed, one enrolment row deleted, one school
    added."""
    shutil.copy(published, new)
    with duckdb.connect(str(new)) as con:
        code, name, valid_from, network = con.execute(
            "select school_code, school_name, valid_from, principal_network from marts.dim__school "
            "where is_current and principal_network is not null order by school_code limit 1"
        ).fetchall()[0]
        after = network + " (renamed)"
        con.execute(
            "update marts.dim__school set principal_network = ? where school_code = ? and is_current", [after, code]
        )
        school, year = con.execute(
            "select school_code, calendar_year from marts.fct__enrolment order by school_code desc, calendar_year "
            "limit 1"
        ).fetchall()[0]
        con.execute("delete from marts.fct__enrolment where school_code = ? and calendar_year = ?", [school, year])
        new_code = con.execute("select max(school_code) + 1 from marts.dim__school").fetchall()[0][0]
        new_name, new_from = "Diff Creek Public School", "2030-01-01"
        con.execute(
            "insert into marts.dim__school (school_sk, school_code, school_name, valid_from, is_current, is_inferred) "
            "values (md5(?), ?, ?, ?::date, true, false)",
            [str(new_code), new_code, new_name, new_from],
        )
    return Edits(
        published, new, code, name, str(valid_from), network, after, school, year, new_code, new_name, new_from
    )
