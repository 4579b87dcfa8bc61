"""User-set targets: red/amber/green against a figure, and files that cannot be used."""

from __future__ import annotations

import math

import pytest

from emss.targets import TargetsError, load_targets, rag_text


def write(folder, text: str):
    (folder / "targets.toml").write_text(text, encoding="utf-8")
    return folder


def test_no_targets_ship_and_none_means_no_status(store):
    assert load_targets(store.root) == {}
    assert rag_text(None) == "No target"


def test_a_higher_is_better_target_with_an_amber_band(tmp_path):
    targets = load_targets(
        write(
            tmp_path,
            '[fsc_invoices_paid_30d]\ntarget = 95.0\namber = 93.0\nset_by = "Head of EMSS"\n',
        )
    )
    paid = targets["fsc_invoices_paid_30d"]
    assert (paid.target, paid.amber, paid.better, paid.set_by) == (
        95.0,
        93.0,
        "higher",
        "Head of EMSS",
    )
    assert paid.rag(95.7) == "green"  # LCC 2023/24 Q3
    assert paid.rag(95.0) == "green"
    assert paid.rag(94.0) == "amber"
    assert paid.rag(92.9) == "red"
    assert paid.rag(None) is None
    assert paid.rag(math.nan) is None
    assert [rag_text(paid.rag(v)) for v in (95.3, 93.5, 90)] == [
        "✓ On target",
        "! Near target",
        "✗ Off target",
    ]


def test_a_lower_is_better_target(tmp_path):
    targets = load_targets(
        write(tmp_path, "[fsc_invoices_on_hold_90d]\ntarget = 600\namber = 800\n")
    )
    on_hold = targets["fsc_invoices_on_hold_90d"]
    assert on_hold.rag(568) == "green"  # NCC 2023/24 Q3
    assert on_hold.rag(700) == "amber"
    assert on_hold.rag(841) == "red"  # LCC 2023/24 Q3


def test_without_amber_a_miss_is_off_target(tmp_path):
    (target,) = load_targets(write(tmp_path, "[fsc_suppliers_setup_5d]\ntarget = 90\n")).values()
    assert (target.rag(90), target.rag(89.9)) == ("green", "red")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[esc_nope]\ntarget = 1\n", r"\[esc_nope\]: not a metric in the catalogue"),
        (
            "[esc_dbs_checks]\ntarget = 4000\n",
            r"\[esc_dbs_checks\]: a volume has no direction of good, so no target",
        ),
        ("[fsc_days_to_pay]\namber = 12\n", r"\[fsc_days_to_pay\]: expected target = <number>"),
        ('[fsc_days_to_pay]\ntarget = "soon"\n', r"expected target = <number>"),
        ("fsc_days_to_pay = 10\n", r"\[fsc_days_to_pay\]: expected target = <number>"),
        (
            "[fsc_invoices_paid_30d]\ntarget = 95\namber = 97\n",
            r"amber 97 is on the good side of 95",
        ),
        ("[fsc_days_to_pay]\ntarget = 10\namber = 8\n", r"amber 8 is on the good side of 10"),
        ("[fsc_days_to_pay\ntarget = 10\n", r"targets.toml: not valid TOML"),
    ],
)
def test_a_targets_file_that_cannot_be_used_says_where_and_why(tmp_path, text, message):
    with pytest.raises(TargetsError, match=message) as caught:
        load_targets(write(tmp_path, text))
    assert str(tmp_path / "targets.toml") in str(caught.value)
