"""The metric catalogue: the public keys and what each metric means."""

from __future__ import annotations

import pytest

from emss.catalogue import CATALOGUE_FILE, load_catalogue, parse_catalogue

# The public contract: every key people put in their CSVs, with unit, direction of good and
# whether the councils' figures add up to the EMSS total. A key, once shipped, is never renamed.
CONTRACT = {
    "esc_payroll_payments": ("ESC", "count", "neutral", True),
    "esc_pension_payments": ("ESC", "count", "neutral", True),
    "esc_payroll_errors": ("ESC", "count", "lower", True),
    "esc_payroll_error_rate": ("ESC", "percent", "lower", False),
    "esc_manual_bacs_payments": ("ESC", "count", "lower", True),
    "esc_contracts_letters": ("ESC", "count", "neutral", True),
    "esc_mss_errors": ("ESC", "count", "lower", True),
    "esc_dbs_checks": ("ESC", "count", "neutral", True),
    "esc_recruitment_adverts": ("ESC", "count", "neutral", True),
    "esc_new_appointments": ("ESC", "count", "neutral", True),
    "esc_orc_contacts": ("ESC", "count", "lower", True),
    "esc_overpayments": ("ESC", "count", "lower", True),
    "fsc_payments": ("FSC", "count", "neutral", True),
    "fsc_payments_value": ("FSC", "gbp", "neutral", True),
    "fsc_invoices_processed": ("FSC", "count", "neutral", True),
    "fsc_days_to_pay": ("FSC", "days", "lower", False),
    "fsc_invoices_paid_30d": ("FSC", "percent", "higher", False),
    "fsc_trade_paid_30d": ("FSC", "percent", "higher", False),
    "fsc_invoices_on_hold_90d": ("FSC", "count", "lower", True),
    "fsc_suppliers_setup_5d": ("FSC", "percent", "higher", False),
    "people_absence_days_per_fte": ("People", "days", "lower", False),
    "people_absence_days_per_fte_esc": ("People", "days", "lower", False),
    "people_apr_completion": ("People", "percent", "higher", False),
    "people_mandatory_training": ("People", "percent", "higher", False),
    "customer_satisfaction": ("Customer", "percent", "higher", False),
    "customer_satisfaction_esc": ("Customer", "percent", "higher", False),
    "customer_satisfaction_fsc": ("Customer", "percent", "higher", False),
    "customer_satisfaction_bd": ("Customer", "percent", "higher", False),
    "customer_resolution_hours": ("Customer", "hours", "lower", False),
    "customer_chatbot_sessions": ("Customer", "count", "neutral", True),
}


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_every_public_key_is_kept(cat):
    assert set(CONTRACT) <= set(cat.keys)


@pytest.mark.parametrize("key", sorted(CONTRACT))
def test_each_metric_has_its_contract_meaning(cat, key):
    area, unit, better, adds_up = CONTRACT[key]
    metric = cat[key]
    assert (metric.area, metric.unit.name, metric.better, metric.adds_up) == (
        area,
        unit,
        better,
        adds_up,
    )
    assert metric.label and metric.description and metric.source.startswith("§")


def test_no_percentage_or_average_adds_up(cat):
    for metric in cat.metrics:
        if metric.unit.name in ("percent", "days", "hours"):
            assert not metric.adds_up, metric.key


def test_the_payroll_error_rate_is_derived_from_its_parts(cat):
    rate = cat["esc_payroll_error_rate"]
    assert (rate.derived.numerator, rate.derived.denominator, rate.derived.scale) == (
        "esc_payroll_errors",
        "esc_payroll_payments",
        100,
    )
    assert rate not in cat.uploadable
    assert [m.key for m in cat.derived] == ["esc_payroll_error_rate"]
    assert len(cat.uploadable) == len(cat.metrics) - 1


def test_partners_and_who_adds_up_to_emss(cat):
    payments = cat["esc_payroll_payments"]
    assert payments.partners == ("LCC", "NCC", "External")
    assert payments.contributors == ("LCC", "NCC", "External")
    assert not payments.is_emss_wide
    letters = cat["esc_contracts_letters"]
    assert letters.contributors == ("LCC", "NCC")
    satisfaction = cat["customer_satisfaction"]
    assert satisfaction.is_emss_wide
    assert satisfaction.contributors == ()


def test_areas_group_the_metrics(cat):
    assert cat.areas == {
        "ESC": "Employee Service Centre",
        "FSC": "Finance Service Centre",
        "People": "People",
        "Customer": "Customer",
    }
    assert [m.key for m in cat.in_area("People")] == [
        "people_absence_days_per_fte",
        "people_absence_days_per_fte_esc",
        "people_apr_completion",
        "people_mandatory_training",
    ]
    assert sum(len(cat.in_area(a)) for a in cat.areas) == len(cat.metrics)


def test_the_units_bound_what_an_upload_may_hold(cat):
    percent = cat["customer_satisfaction"].unit
    assert (percent.minimum, percent.maximum, percent.accepts_percent_sign) == (0, 100, True)
    count = cat["esc_dbs_checks"].unit
    assert (count.minimum, count.whole, count.accepts_percent_sign) == (0, True, False)
    assert cat["fsc_payments_value"].unit.minimum is None


def test_the_standards_the_report_names_are_carried(cat):
    assert "90-day" in cat["fsc_invoices_on_hold_90d"].standard
    assert "5 days" in cat["fsc_suppliers_setup_5d"].standard
    assert "30-day" in cat["fsc_invoices_paid_30d"].standard
    assert "24-hour" in cat["esc_recruitment_adverts"].standard


def test_the_debt_dataset(cat):
    assert cat.debt.partners == ("LCC", "NCC")
    assert cat.debt.sectors == (
        "Business",
        "Education",
        "NHS",
        "Public Sector",
        "Individuals",
        "Other",
    )
    assert cat.debt.collectors == ("In house", "Thornton Hope")
    assert cat.debt.source == "§8.7"


def _edited(old: str, new: str) -> str:
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_a_catalogue_with_an_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="esc_payroll_payments has a bad area or direction"):
        parse_catalogue(_edited('better = "neutral"', 'better = "up"'))


def test_a_derived_metric_naming_an_unknown_part_is_refused():
    with pytest.raises(ValueError, match="names an unknown part"):
        parse_catalogue(_edited('numerator = "esc_payroll_errors"', 'numerator = "nope"'))


def test_every_metric_key_the_report_names_is_in_the_catalogue():
    from emss.report_model import load_words

    words = load_words()
    named = set(words["phrases"])
    for section in words["section"]:
        named |= {section["chart"]["metric"]} if "chart" in section else set()
        for spec in section.get("tables", []):
            named |= {key for key, _ in spec.get("columns", [])}
        if "area" in section:
            assert section["area"] in load_catalogue().areas, section["key"]
    assert named, "report.toml names no metric"
    assert named <= set(load_catalogue().keys), sorted(named - set(load_catalogue().keys))


def test_partners_views_and_the_debt_dataset_are_data():
    from emss.catalogue import COUNCILS, DEBT, PARTNER_COLOURS, PARTNERS, VIEWS, WHOLE

    assert PARTNERS[-1] == WHOLE
    assert set(COUNCILS) <= set(PARTNERS) and set(DEBT.partners) <= set(COUNCILS)
    assert len(set(PARTNER_COLOURS.values())) == len(PARTNERS)
    assert all(set(v.partners) <= set(PARTNERS) for v in VIEWS.values())
    assert DEBT.required == tuple(c for c in DEBT.columns if c != "note")
    assert DEBT.identity == DEBT.required[:-1]


def test_a_catalogue_naming_an_undefined_partner_is_refused():
    with pytest.raises(ValueError, match="names a partner or unit it does not define"):
        parse_catalogue(_edited('partners = ["LCC", "NCC", "External"]', 'partners = ["XYZ"]'))
