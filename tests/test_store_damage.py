"""A damaged or restored store: nothing stored is overwritten, and what is wrong is said."""

from __future__ import annotations

import errno
import hashlib
import re
import tempfile

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from emss import cli
from emss.queries import Database
from emss.store import DamagedStoreError, Store, StoreError, atomic_write, check
from tests.conftest import REPO_ROOT

HINT = "run `python -m emss check` to see what is wrong"


def rows(value: float) -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(
        [("2023/24 Q3", "EMSS", "esc_dbs_checks", value, None)],
        columns=["quarter", "partner", "metric", "value", "note"],
    )
    return {"metrics": frame}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_commit_after_a_backup_restore_of_the_manifest_never_overwrites_a_stored_file(store):
    backup = store.manifest_path.read_bytes()
    first = store.commit(rows(1.0), uploaded_by="A", kind="upload")
    first_file = store.path(first.files["metrics"])
    before = digest(first_file)
    store.manifest_path.write_bytes(backup)  # the manifest restored from an earlier copy
    second = store.commit(rows(2.0), uploaded_by="B", kind="upload")
    assert second.id != first.id and second.seq > first.seq
    assert digest(first_file) == before  # the earlier upload's rows are untouched
    problems = check(store).problems
    assert problems == [
        f"{first.files['metrics']} is on disk but not in manifest.json (left by an interrupted "
        "upload, or the manifest was restored from an older copy)"
    ]


def test_an_exclusive_write_never_replaces_a_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "metrics" / "00003-20240118-upload.parquet"
    target.parent.mkdir()
    target.write_bytes(b"the stored rows")
    with pytest.raises(FileExistsError):
        atomic_write(target, lambda handle: handle.write(b"other rows"), exclusive=True)
    assert target.read_bytes() == b"the stored rows"
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_check_finds_a_changed_a_missing_and_a_truncated_file(store, capsys):
    assert check(store).problems == []
    new = store.commit(rows(3.0), uploaded_by="A", kind="upload")
    assert new.hashes[new.files["metrics"]] == digest(store.path(new.files["metrics"]))
    assert check(store).problems == []
    code, out, _ = run(capsys, "check")
    assert code == 0 and out.endswith(": 3 snapshots, 6 files listed: OK\n")
    store.path(new.files["metrics"]).write_bytes(b"edited")
    old = store.snapshots()[0]
    store.path(old.files["metrics"]).unlink()
    problems = check(store).problems
    assert problems == [
        f"{old.files['metrics']} is listed in manifest.json but missing",
        f"{new.files['metrics']} has changed since it was stored (its SHA-256 is not the "
        "recorded one)",
    ]
    code, out, _ = run(capsys, "check")
    assert code == 1 and out.splitlines()[-1].endswith("2 problem(s)")


def test_check_opens_the_files_of_a_manifest_written_before_hashes_were_recorded(store):
    text = store.manifest_path.read_text(encoding="utf-8")
    old = store.snapshots()[0]
    without = re.sub(r', "hashes": \{[^}]*\}', "", text)
    assert without != text
    store.manifest_path.write_text(without, encoding="utf-8")
    assert check(store).problems == []
    store.path(old.files["debt"]).write_bytes(b"PAR1 truncated")
    [problem] = check(store).problems
    assert problem.startswith(f"{old.files['debt']} is not a readable Parquet file (")


def test_check_fix_removes_only_the_temporary_leftovers_of_interrupted_writes(store, capsys):
    leftover = tempfile.mkstemp(dir=store.root / "metrics", prefix=".tmp-", suffix=".partial")[1]
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "left by an interrupted write" in out and "check --fix" in out
    code, out, _ = run(capsys, "check", "--fix")
    assert code == 0 and "removed" in out
    assert not (store.root / "metrics" / leftover.rsplit("/", 1)[1]).exists()
    assert len(store.snapshots()) == 2


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "manifest.json is not valid JSON"),
        ('{"snapshots": [{"id": "00001', "manifest.json is not valid JSON"),
        ('{"snapshots": [{"id": 1}]}', "manifest.json does not list snapshots as expected"),
        ("[]", "manifest.json does not list snapshots as expected"),
    ],
    ids=["empty", "truncated", "hand-edited", "wrong-shape"],
)
def test_a_damaged_manifest_is_one_sentence_in_every_command(store, capsys, text, said):
    store.manifest_path.write_text(text, encoding="utf-8")
    with pytest.raises(DamagedStoreError, match=said):
        store.manifest()
    for argv in (["snapshots"], ["summary", "--quarter", "2023/24 Q3"], ["withdraw", "x"]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and out == ""
        [line] = err.splitlines()
        assert line.startswith(f"error: The figures' store is damaged: {said}")
        assert line.endswith(f"Nothing was changed; {HINT}.")
    code, out, _ = run(capsys, "check")
    assert code == 1 and out.startswith(f"problem: {said}")


def test_a_deleted_snapshot_file_is_said_on_the_pages_and_the_cli(store, capsys):
    store.path(store.snapshots()[0].files["metrics"]).unlink()
    with pytest.raises(DamagedStoreError, match="a metrics file listed in manifest.json"):
        Database(store).quarters_with_data()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("The figures' store is damaged: a metrics file listed")
    assert error.value.endswith(f"{HINT}.")
    capsys.readouterr()  # what the app's run logged is not the command's output
    code, _, err = run(capsys, "debt", "--quarter", "2023/24 Q3")
    assert code == 1 and "store is damaged" in err and "Traceback" not in err


@pytest.mark.parametrize("dataset", ["debt", "projects"])
def test_a_deleted_debt_or_projects_file_is_said_on_the_pages(store, dataset):
    """The debt and project tables are built beside the figures (``Database._fill``): a file
    they miss stops the page with the same sentence as a missing figures file."""
    [first, *_] = [s.files[dataset] for s in store.snapshots() if dataset in s.files]
    store.path(first).unlink()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith(f"The figures' store is damaged: a {dataset} file listed")


def test_a_full_disk_or_read_only_store_refuses_a_commit_and_a_withdrawal(store, monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = store.manifest_path.read_bytes()
    monkeypatch.setattr("emss.store.tempfile.mkstemp", no_space)
    with pytest.raises(StoreError, match=r"^the store cannot be written \(No space left"):
        store.commit(rows(4.0), uploaded_by="A", kind="upload")
    with pytest.raises(StoreError, match=r"^the store cannot be written \(No space left"):
        store.withdraw(store.snapshots()[0].id, withdrawn_by="A")
    assert store.manifest_path.read_bytes() == before


def test_a_bad_upload_limit_setting_is_a_message_in_the_cli_and_on_the_pages(
    store, capsys, monkeypatch, tmp_path
):
    monkeypatch.setenv("EMSS_MAX_UPLOAD_MB", "abc")
    said = 'The setting EMSS_MAX_UPLOAD_MB is "abc"; expected a number of megabytes such as 10.'
    good = tmp_path / "q.csv"
    good.write_text("quarter,partner,metric,value\n2023/24 Q3,EMSS,esc_dbs_checks,1\n")
    code, _, err = run(capsys, "validate", str(good))
    assert code == 1 and err.startswith(f"error: {said}")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"{said} Correct it and restart the app."]
    assert isinstance(Store.default(), Store)
