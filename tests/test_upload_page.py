"""The Upload page: only editors reach the file picker; problems are all shown and nothing is
stored; a clean upload is previewed, then stored by one button and seen on every page."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from emss import ingest, ingest_preview, tables, uploads
from emss.quarters import Quarter
from tests.conftest import (
    DEBT_HEADER,
    METRICS_HEADER,
    REPO_ROOT,
    chosen_quarter,
    csv_bytes,
    shown_tiles,
)
from tests.editor_pages import (
    EDITOR,
    OIDC_SECRETS,
    PASSWORD,
    UPLOAD,
    button_labels,
    has_text,
    open_page,
    sign_in,
    table_with,
    texts,
    uploaders,
)

GOOD_METRICS = csv_bytes(
    METRICS_HEADER,
    [
        "2023/24 Q4,EMSS,esc_dbs_checks,4100,",
        "2023/24 Q4,EMSS,customer_satisfaction,86%,Best quarter yet",
        "2023/24 Q3,EMSS,customer_satisfaction,84,Late survey returns counted",
    ],
)
GOOD_DEBT = csv_bytes(DEBT_HEADER, ['2023/24 Q4,LCC,In house,Business,"-£12,345",'])


@pytest.fixture
def password_mode(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EMSS_EDITOR_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture
def no_editing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMSS_EDITOR_PASSWORD", raising=False)


def upload(at, *files: tuple[str, bytes]):
    at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files]).run()
    assert not at.exception, at.exception
    return at


def test_a_good_upload_is_previewed_then_stored_and_shown_on_every_page(store, password_mode):
    at = sign_in(open_page(UPLOAD))
    upload(at, ("q4-metrics.csv", GOOD_METRICS), ("q4-debt.csv", GOOD_DEBT))

    assert has_text(at, "Preview: nothing has been stored yet")
    assert has_text(at, "2023/24 Q3 (Oct–Dec 2023); 2023/24 Q4 (Jan–Mar 2024)")
    assert has_text(at, "New figures: 2")
    assert has_text(at, "New debt movements: 1")
    revised = table_with(at, "Was")
    assert revised[["Figure", "Was", "Now"]].to_dict("records") == [
        {"Figure": "Customer satisfaction, all teams", "Was": "83.0%", "Now": "84.0%"}
    ]
    assert len(store.snapshots()) == 2, "nothing is stored before the button is pressed"

    at.button(key="upload_store").click().run()
    assert not at.exception, at.exception
    (stored,) = texts(at, "success")
    assert "Every page shows the new figures now" in stored
    newest = store.snapshots()[-1]
    assert newest.id in stored
    assert (newest.kind, newest.uploaded_by) == ("upload", EDITOR)
    assert [s.name for s in newest.sources] == ["q4-metrics.csv", "q4-debt.csv"]
    assert not has_text(at, "Preview"), "the picker is cleared: no second commit by accident"

    at.switch_page("app.py").run()
    assert not at.exception, at.exception
    assert chosen_quarter(at) == Quarter(2023, 4)
    overview = {t["label"]: t["value"] for t in shown_tiles(at) if "value" in t}
    assert "86.0%" in overview.values()

    at.switch_page("pages/1_ESC.py").run()
    assert not at.exception, at.exception
    assert "4,100" in [t.get("value") for t in shown_tiles(at)]


def test_a_bad_upload_lists_every_problem_and_stores_nothing(store, password_mode):
    before = store.version()
    at = sign_in(open_page(UPLOAD))
    bad_metrics = csv_bytes(
        METRICS_HEADER,
        [
            "2023/24 Q4,EMSS,esc_payrol_payments,43689,",
            "2023/24 Q4,EMSS,customer_satisfaction,120,",
            "2023/24 Q4,LCC,esc_dbs_checks,12x,",
        ],
    )
    bad_debt = csv_bytes(DEBT_HEADER, ["2023/24 Q4,NCC,In house,Charities,100,"])
    upload(at, ("q4.csv", bad_metrics), ("debt.csv", bad_debt))

    (error,) = texts(at, "error")
    assert "Nothing was stored" in error
    assert "4 problems" in error
    problems = at.dataframe[0].value
    assert list(problems.columns) == [
        "File",
        "Line",
        "Column",
        "Value found",
        "Problem",
        "What was expected",
    ]
    assert problems[["File", "Line", "Column", "Value found"]].values.tolist() == [
        ["q4.csv", 2, "metric", "esc_payrol_payments"],
        ["q4.csv", 3, "value", "120"],
        ["q4.csv", 4, "value", "12x"],
        ["debt.csv", 2, "sector", "Charities"],
    ]
    assert "did you mean esc_payroll_payments?" in problems["Problem"].iloc[0]
    assert problems["What was expected"].iloc[1].startswith("a percentage")
    assert [b.label for b in at.get("download_button")][-1] == "Download the problems (CSV)"
    assert has_text(at, "Correct the cells listed (file, line and column)")
    assert "upload_store" not in [b.key for b in at.button]
    assert store.version() == before and len(store.snapshots()) == 2


@pytest.mark.usefixtures("store", "no_editing")
def test_with_no_editing_configured_the_page_says_how_to_enable_it():
    at = open_page(UPLOAD)
    (info,) = texts(at, "info")
    assert "Editing is not enabled" in info
    assert "EMSS_EDITOR_PASSWORD" in info and "[auth]" in info
    assert uploaders(at) == 0
    assert button_labels(at) == []


@pytest.mark.usefixtures("store", "password_mode")
def test_a_viewer_who_has_not_signed_in_gets_the_form_and_no_file_picker():
    at = open_page(UPLOAD)
    assert uploaders(at) == 0
    assert button_labels(at) == ["Sign in"]


@pytest.mark.usefixtures("store", "password_mode")
def test_a_wrong_password_is_refused():
    at = sign_in(open_page(UPLOAD), password="guess")
    assert texts(at, "error") == ["That password is not right. Nothing was changed."]
    assert uploaders(at) == 0
    at = sign_in(at, password=PASSWORD)
    assert uploaders(at) == 1
    assert has_text(at, f"Editing as **{EDITOR}**")


@pytest.mark.usefixtures("store", "password_mode")
def test_signing_out_closes_editing_for_the_session():
    at = sign_in(open_page(UPLOAD))
    at.button(key="emss_sign_out").click().run()
    assert uploaders(at) == 0
    assert "Sign in" in button_labels(at)


@pytest.mark.usefixtures("store", "password_mode")
@pytest.mark.parametrize(
    ("user", "shown"),
    [
        ({"is_logged_in": False}, "Sign in to upload a quarter."),
        (
            {"is_logged_in": True, "email": "someone@leics.example"},
            "You are signed in as someone@leics.example, which is not on",
        ),
    ],
)
def test_with_sign_in_configured_only_listed_editors_get_the_file_picker(user, shown):
    at = open_page(UPLOAD, secrets=OIDC_SECRETS, user=user)
    assert has_text(at, shown)
    assert uploaders(at) == 0
    assert "emss_sign_in_password" not in [t.key for t in at.text_input]


def test_a_listed_editor_signed_in_with_the_provider_uploads_under_their_email(store):
    email = "Head.Of.EMSS@Leics.example"
    user = {"is_logged_in": True, "email": email, "email_verified": True}
    at = open_page(UPLOAD, secrets=OIDC_SECRETS, user=user)
    upload(at, ("q4.csv", GOOD_METRICS))
    at.button(key="upload_store").click().run()
    assert store.snapshots()[-1].uploaded_by == email


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(
    store, password_mode, monkeypatch
):
    monkeypatch.setenv("EMSS_MAX_UPLOAD_MB", "0.0625")  # 64 KB
    at = sign_in(open_page(UPLOAD))
    assert at.file_uploader[0].label == "CSV files (up to 1 MB each)"
    big = csv_bytes(METRICS_HEADER, ["2023/24 Q4,EMSS,esc_dbs_checks,4100," + "x" * 70_000])
    upload(at, ("big.csv", big))
    assert "Nothing was stored" in texts(at, "error")[0]
    assert "larger than the 0.0625 MB limit" in at.dataframe[0].value["Problem"].iloc[0]
    assert has_text(at, "python -m emss ingest FILE")
    assert len(store.snapshots()) == 2


@pytest.mark.usefixtures("store", "password_mode")
def test_a_file_of_empty_values_has_nothing_to_store():
    at = sign_in(open_page(UPLOAD))
    upload(at, ("blank.csv", csv_bytes(METRICS_HEADER, ["2023/24 Q4,EMSS,esc_dbs_checks,,"])))
    assert has_text(at, "there is nothing to store")
    assert "upload_store" not in [b.key for b in at.button]


@pytest.mark.usefixtures("store", "password_mode")
def test_templates_are_offered_for_the_quarter_after_the_latest():
    at = sign_in(open_page(UPLOAD))
    assert at.expander[0].label == "Templates for 2023/24 Q4 (Jan–Mar 2024)"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Metrics template", "Debt movements template", "Projects template"]


def test_the_template_quarter_and_file_name():
    assert tables.template_quarter(Quarter(2023, 3)) == Quarter(2023, 4)
    assert tables.template_quarter(None, today=dt.date(2024, 5, 1)) == Quarter(2023, 4)
    assert tables.template_file_name(Quarter(2023, 4), "debt") == "emss-debt-2023-24-Q4.csv"


def test_the_servers_upload_limit_matches_the_apps_default():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    # The server's cap lets the largest picker's files through: the exports' (50 MB).
    assert config["server"]["maxUploadSize"] == max(
        ingest.DEFAULT_MAX_UPLOAD_MB, uploads.DEFAULT_EXPORT_LIMIT_MB
    )


def test_the_file_picker_limit_follows_the_configured_limit(monkeypatch):
    monkeypatch.setenv("EMSS_MAX_UPLOAD_MB", "2.5")
    assert tables.upload_limit_mb() == 3
    monkeypatch.delenv("EMSS_MAX_UPLOAD_MB")
    assert tables.upload_limit_mb() == 10


def test_a_debt_preview_shows_a_revision_old_to_new_and_a_new_movement_exactly(store):
    from emss.queries import Database

    upload = csv_bytes(
        DEBT_HEADER,
        ["2023/24 Q3,NCC,In house,Business,-5000000,corrected", "2023/24 Q4,LCC,In house,NHS,12,"],
    )
    preview = ingest_preview.preview(Database(store), ingest.validate([("d.csv", upload)]))
    revised = tables.preview_debt(preview, "revision")
    assert revised[["Partner", "Sector", "Was", "Now", "Replaces snapshot"]].values.tolist() == [
        ["NCC", "Business", "−£5,329,828", "−£5,000,000", "00002-20240318-report"]
    ]
    new = tables.preview_debt(preview, "new")
    assert list(new.columns) == ["Quarter", "Partner", "Collector", "Sector", "Movement", "Note"]
    assert new["Movement"].tolist() == ["£12"]
