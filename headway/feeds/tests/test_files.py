import io
from decimal import Decimal

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from headway.feeds.files import Mapping, RowError, commit_import, plan_import
from headway.feeds.tests.helpers import make_kpi
from headway.kpis.models import Measurement
from headway.org.access import actor_for
from headway.org.models import Membership, Role, User

GOOD = b"kpi,day,amount\nsignups,2026-10-01,10\nsignups,2026-10-02,12.5\nchurn,2026-10-02,3\n"
BY_COLUMN = Mapping(time_column="day", value_column="amount", kpi_column="kpi")


@pytest.fixture
def kpis(world):
    return make_kpi(world, "signups"), make_kpi(world, "churn")


def test_it_previews_without_writing_and_commits_everything(world, kpis):
    bob = actor_for(world.bob, world.acme)
    plan = plan_import(bob, "m.csv", GOOD, BY_COLUMN)
    assert plan.ok
    assert [(n, ref, p.value) for n, ref, p in plan.rows] == [
        (2, "signups", Decimal(10)),
        (3, "signups", Decimal("12.5")),
        (4, "churn", Decimal(3)),
    ]
    assert Measurement.objects.count() == 0
    results = commit_import(bob, plan)
    assert {ref: r.created for ref, r in results.items()} == {"signups": 2, "churn": 1}
    assert Measurement.objects.filter(source="import").count() == 3


def test_it_changes_nothing_when_the_same_file_comes_again_and_corrects_a_changed_row(world, kpis):
    bob = actor_for(world.bob, world.acme)
    commit_import(bob, plan_import(bob, "m.csv", GOOD, BY_COLUMN))
    again = commit_import(bob, plan_import(bob, "m.csv", GOOD, BY_COLUMN))
    assert sum(r.created + r.corrected for r in again.values()) == 0
    changed = GOOD.replace(b"12.5", b"13")
    fixed = commit_import(bob, plan_import(bob, "m.csv", changed, BY_COLUMN))
    assert fixed["signups"].corrected == 1
    assert sorted(
        Measurement.objects.filter(superseded_at=None).values_list("value", flat=True)
    ) == [Decimal(3), Decimal(10), Decimal(13)]
    assert Measurement.objects.exclude(superseded_at=None).get().value == Decimal("12.5")


def test_it_reports_each_bad_row_with_its_number_and_column_and_writes_nothing(world, kpis):
    bob = actor_for(world.bob, world.acme)
    data = b"kpi,day,amount\nsignups,2026-10-01,10\nnope,2026-10-02,1\nchurn,yesterday,x\n"
    plan = plan_import(bob, "m.csv", data, BY_COLUMN)
    assert plan.errors == [
        RowError(3, "kpi", "no KPI 'nope'"),
        RowError(
            4,
            "day",
            "'yesterday' is not a date or time like 2026-11-02 or 2026-11-02T09:00:00+00:00",
        ),
        RowError(4, "amount", "'x' is not a number"),
    ]
    with pytest.raises(ValidationError):
        commit_import(bob, plan)
    assert Measurement.objects.count() == 0


def test_it_names_a_missing_column(world, kpis):
    with pytest.raises(ValidationError) as e:
        plan_import(actor_for(world.bob, world.acme), "m.csv", GOOD, Mapping(kpi_ref="signups"))
    assert set(e.value.message_dict) == {"time_column", "value_column"}


def test_it_reads_a_sheet_of_a_workbook(world, kpis):
    book = openpyxl.Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("data")
    sheet.append(["when", "value", "key"])
    sheet.append(["2026-10-01", 5, "a"])
    sheet.append(["2026-10-02T10:00:00+02:00", 6.25, "b"])
    buffer = io.BytesIO()
    book.save(buffer)
    mapping = Mapping(time_column="when", kpi_ref="signups", key_column="key", sheet="data")
    bob = actor_for(world.bob, world.acme)
    results = commit_import(bob, plan_import(bob, "m.xlsx", buffer.getvalue(), mapping))
    assert results["signups"].created == 2
    assert list(Measurement.objects.values_list("idempotency_key", "value")) == [
        ("a", Decimal(5)),
        ("b", Decimal("6.25")),
    ]


def test_it_keeps_outsiders_and_viewers_out(world, kpis):
    outsider = plan_import(actor_for(world.charlie, world.acme), "m.csv", GOOD, BY_COLUMN)
    assert [e.reason for e in outsider.errors] == ["no KPI 'signups'"] * 2 + ["no KPI 'churn'"]
    with pytest.raises(ValidationError):
        plan_import(
            actor_for(world.charlie, world.acme),
            "m.csv",
            GOOD,
            Mapping(time_column="day", value_column="amount", kpi_ref="signups"),
        )
    viewer = User.objects.create_user("vera@acme.test", "pw")
    Membership.objects.create(organization=world.acme, user=viewer, role=Role.VIEWER)
    plan = plan_import(actor_for(viewer, world.acme), "m.csv", GOOD, BY_COLUMN)
    assert {e.reason for e in plan.errors} == {
        "you may not measure signups",
        "you may not measure churn",
    }
    with pytest.raises(PermissionDenied):
        plan_import(
            actor_for(viewer, world.acme),
            "m.csv",
            GOOD,
            Mapping(time_column="day", value_column="amount", kpi_ref="signups"),
        )
    assert Measurement.objects.count() == 0


def test_it_imports_from_the_command_line_with_a_dry_run_first(world, kpis, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_bytes(b"day,amount\n2026-10-01,10\n2026-10-02,11\n")
    args = [str(path), "--kpi", "signups", "--time-column", "day", "--value-column", "amount"]
    call_command("import-measurements", *args, "--dry-run", "--organization", "Acme")
    assert "2 measurement(s) would be recorded" in capsys.readouterr().out
    assert Measurement.objects.count() == 0
    call_command("import-measurements", *args, "--organization", "Acme")
    assert "signups: 2 new" in capsys.readouterr().out
    path.write_bytes(b"day,amount\n2026-10-01,ten\n")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import-measurements", *args, "--organization", "Acme")
    assert "row 2, column amount: 'ten' is not a number" in capsys.readouterr().err


def test_it_reads_every_form_of_time_and_number_and_skips_blank_lines(world, kpis):
    import datetime as dt

    from headway.kpis.measurements import derived_key

    signups = kpis[0]
    bob = actor_for(world.bob, world.acme)
    data = (
        b"time,value\n"
        b"2026-10-01T09:00:00+00:00,1\n"  # the UTC ISO form, used as is in the key
        b"2026-10-02T09:00:00Z, 2.50\n"
        b"\n"
        b",\n"
        b"2026-10-03 11:00:00+02:00,3E1\n"
        b" 2026-10-04 ,4\n"  # a date: its midnight in the organization's zone
        b"2026-10-05T09:00:00.5+00:00,-0.000000000001\n"  # rounds to 0 when stored
    )
    plan = plan_import(bob, "m.csv", data, Mapping(kpi_ref="signups"))
    assert plan.ok, plan.errors
    assert plan.total == 5
    points = plan.points[signups.pk]
    utc = dt.UTC
    assert [(at.astimezone(utc), value) for at, value, _ in points] == [
        (dt.datetime(2026, 10, 1, 9, tzinfo=utc), Decimal(1)),
        (dt.datetime(2026, 10, 2, 9, tzinfo=utc), Decimal("2.50")),
        (dt.datetime(2026, 10, 3, 9, tzinfo=utc), Decimal(30)),
        (dt.datetime(2026, 10, 4, tzinfo=world.acme.tz).astimezone(utc), Decimal(4)),
        (dt.datetime(2026, 10, 5, 9, 0, 0, 500000, tzinfo=utc), Decimal("-0.000000000001")),
    ]
    assert [key for _, _, key in points] == [derived_key(signups, at) for at, _, _ in points]
    assert plan.numbers[signups.pk] == [2, 3, 6, 7, 8]
    commit_import(bob, plan)
    stored = Measurement.objects.filter(kpi=signups).order_by("at")
    assert [m.value for m in stored] == [1, Decimal("2.5"), 30, 4, 0]


def test_it_groups_rows_of_alternating_kpis_and_names_the_bad_ones(world, kpis):
    signups, churn = kpis
    bob = actor_for(world.bob, world.acme)
    data = (
        b"kpi,day,amount\n"
        b"signups,2026-10-01,1\nchurn,2026-10-01,2\nsignups,2026-10-02,3\n"
        b",,\n"
        b"churn,2026-10-02,1,234\n"
        b"churn,2026-10-03,NaN\n"
    )
    plan = plan_import(bob, "m.csv", data, BY_COLUMN)
    assert plan.errors == [
        # 1,234 is two cells: a thousands separator (or a decimal comma) in disguise.
        RowError(
            6,
            "",
            "4 cells but the header has 3: write numbers with a dot (1.5), or quote a cell "
            "that holds the delimiter",
        ),
        RowError(7, "amount", "'NaN' is not a finite number"),
    ]
    assert plan.total == 5
    assert [v for _, v, _ in plan.points[signups.pk]] == [1, 3]
    assert [v for _, v, _ in plan.points[churn.pk]] == [2]
    assert (plan.numbers[signups.pk], plan.numbers[churn.pk]) == ([2, 4], [3])


def test_the_dry_run_finds_a_time_given_twice_and_a_number_too_long_to_store(world, kpis):
    bob = actor_for(world.bob, world.acme)
    data = (
        b"time,value\n"
        b"2026-10-01,1\n"
        b"2026-10-01,1.0\n"  # the same value again: harmless
        b"2026-10-02,5\n"
        b"2026-10-02,6\n"
        b"2026-10-03,123456789012345678901234\n"
    )
    plan = plan_import(bob, "m.csv", data, Mapping(kpi_ref="signups"))
    assert plan.errors == [
        RowError(6, "value", "enter a number with at most 20 digits before the decimal point"),
        RowError(5, "time", "row 4 has the same time with another value"),
    ]
    with pytest.raises(ValidationError):
        commit_import(bob, plan)
    assert Measurement.objects.count() == 0


def test_it_explains_a_wrong_kpi_cell_a_workbook_named_csv_and_skips_blank_cells(world, kpis):
    private = make_kpi(world, "cash", private=True, team=world.company, owner=world.alice)
    bob = actor_for(world.bob, world.acme)
    data = b"kpi,day,amount\nSignups,2026-10-01,1\n,2026-10-02,2\n  ,  ,  \nCASH,2026-10-03,3\n"
    plan = plan_import(bob, "m.csv", data, BY_COLUMN)
    assert plan.errors == [
        RowError(2, "kpi", "no KPI 'Signups' (refs are exact: did you mean 'signups'?)"),
        RowError(3, "kpi", "the KPI cell is empty"),
        RowError(5, "kpi", "no KPI 'CASH'"),  # bob may not see it: no hint
    ]
    assert private.ref == "cash"
    book = io.BytesIO()
    openpyxl.Workbook().save(book)
    with pytest.raises(ValidationError) as e:
        plan_import(bob, "m.csv", book.getvalue(), BY_COLUMN)
    assert e.value.message_dict == {
        "file": ["this looks like an XLSX workbook: give the file a .xlsx name"]
    }


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_characters="\"'\x00\r\n,;\t"), max_size=8),
            min_size=0,
            max_size=4,
        ),
        max_size=6,
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_unquoted_text_is_split_exactly_as_the_csv_module_reads_it(lines, delimiter, end, last):
    import csv

    from headway.feeds.files import _split_lines, _unquoted

    text = end.join(delimiter.join(fields) for fields in lines) + (end if last else "")
    dialect = type("D", (csv.excel,), {"delimiter": delimiter})
    assert _unquoted(text, dialect)
    assert list(_split_lines(text, delimiter)) == list(csv.reader(io.StringIO(text), dialect))
    # Quotes or lone carriage returns: the csv module reads the file.
    assert not _unquoted(text + '"', dialect)
    assert not _unquoted(text + "\r", dialect)
