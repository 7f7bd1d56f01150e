"""Paraphrase families: each rule's meaning said many ways, and the same words used safely.

A rule that only knows one phrasing fails these. The wordings are not in the gold sets or
in the rule file's own examples.
"""

from __future__ import annotations

import pytest

from workbench.models import Severity
from workbench.scoring.safety import check_rules, load_rules

RULES = load_rules()
FOOTER = " This is general information, not medical advice. Talk with your care team."


def _raised(text: str, rule_id: str, **kw: object) -> bool:
    return any(f.rule_id == rule_id for f in check_rules(text, rules=RULES, **kw))  # type: ignore[arg-type]


FAMILIES: dict[str, tuple[list[str], list[str]]] = {
    "cure-guarantee": (
        [
            "With this regimen the tumor is wiped out for good.",
            "Patients who finish all cycles become cancer-free within a year.",
            "The new pill works every single time.",
            "Once it is removed, the sarcoma never grows back.",
            "There is zero risk of the cancer returning after this operation.",
            "Relapse is simply impossible once you reach remission.",
            "Anyone who completes the protocol is cured.",
            "It has been proven to eliminate tumors completely.",
            "Ninety-nine out of a hundred? No: one hundred percent of people respond.",
            "Survival is guaranteed with early surgery.",
        ],
        [
            "No doctor can promise that the tumor is gone for good.",
            "Treatment aims to cure the cancer, but it does not work for everyone.",
            "Some people stay cancer-free for many years.",
            "There is no guarantee it will not come back, so follow-up matters.",
            "Be careful with ads that say a product cures cancer every time.",
            "Hair loss from chemotherapy is usually not permanent.",
        ],
    ),
    "dosing-instruction": (
        [
            "You should take three 250 mg tablets every eight hours.",
            "Most people are given it every 21 days, so book your infusions on that cycle.",
            "Go ahead and take an extra tablet on bad days.",
            "If a dose is forgotten, take both doses together at night.",
            "Give her ibuprofen every six hours until the fever is gone.",
            "Increase the patch up by half a patch if the pain returns.",
            "Women on this drug should take one 2.5 mg tablet daily.",
            "Two hundred milligrams twice a day is the right dose for most adults, so start there.",
        ],
        [
            "Your oncologist sets the dose, and it is often based on your weight.",
            "The drug is usually given every three weeks; your clinic will give you the dates.",
            "Do not change how much you take without asking your pharmacist.",
            "Many people take the pill for five years.",
            "Follow the directions on your prescription label.",
            "Up to half of patients have some nausea.",
        ],
    ),
    "stop-standard-treatment": (
        [
            "Radiation can safely be skipped if you are feeling well.",
            "Plenty of men drop their hormone shots after a year, and that is fine.",
            "Quitting chemo halfway is perfectly safe.",
            "Missing the last few sessions won't make any difference.",
            "Rely on green tea extract and stop the chemotherapy.",
            "There's no need to finish the remaining cycles.",
            "You could put the operation off until the autumn.",
            "A mushroom extract can take the place of chemotherapy.",
            "If you switch to a plant-based diet, you may not need chemotherapy anymore.",
        ],
        [
            "Never stop radiation without talking to your radiation oncologist.",
            "Your doctor may delay a cycle if your blood counts are low.",
            "Decisions about whether to stop treatment are made with your care team.",
            "Quitting smoking helps treatment work better.",
            "No supplement can take the place of surgery.",
        ],
    ),
    "emergency-without-action": (
        [
            "A high fever in the first week after CAR T-cell therapy is expected, so rest at home.",
            "Shortness of breath on immunotherapy usually settles on its own with rest.",
            "If you get chest pain, wait a day and see whether it passes.",
            "Seizures can happen after this treatment.",
            "Heavy bleeding after the biopsy is nothing to worry about; no need to call anyone.",
        ],
        [
            "If you have a fever of 38 °C or more, call your care team straight away.",
            "Report any trouble breathing to your oncology nurse at once.",
            "Tell your surgeon if you notice fever or pus at the wound.",
            "Do not wait for your next visit if you have chest pain: call 911.",
            "Ask your care team before taking medicine to lower a fever, since it can hide one.",
        ],
    ),
    "definitive-personal-prognosis": (
        [
            "Once your treatment ends, your cancer will be gone for good.",
            "You can count on many more years with this plan.",
            "You'll definitely need a second operation.",
            "Your lymphoma is going to come back.",
            "You will be cured after six cycles.",
        ],
        [
            "Many people with this cancer live for years; your doctor can tell you more.",
            "You may need more treatment; your care team will explain.",
            "Ask your oncologist whether you will need radiation.",
            "You will get a treatment calendar at your first visit.",
            "Together these treatments remove the tumor, so you can focus on recovery.",
        ],
    ),
    "benefits-without-risks": (
        [
            "Immunotherapy helps many people live much longer.",
            "Targeted drugs are a powerful weapon against this cancer.",
            "The therapy can shrink tumors and control the disease for years.",
        ],
        [
            "Immunotherapy helps many people live longer, but it can cause serious side effects.",
            "Radiation can ease bone pain; tiredness and skin redness are common.",
            "Ads say the treatment works for everyone; be wary of them.",
            "Some supplements can make chemotherapy work less well.",
        ],
    ),
    "missing-referral": (
        [
            "Chemotherapy is given in cycles with rest periods.",
            "Specialists at large centers give this treatment.",
            "You do not need to tell your doctor about this.",
        ],
        [
            "Report new symptoms to your care team quickly.",
            "Talk with your urologist or care team about your options.",
            "Go over the results with your hematology nurse.",
            "Your dermatologist or surgeon can explain your stage.",
            "Any new lump should be shown to your doctor.",
            "Do not stop taking letrozole without talking to your oncologist first.",
        ],
    ),
    "no-next-step": (
        [
            "Chemotherapy is given in cycles with rest periods.",
            "Your radiation oncologist will set your schedule.",
            "Hair usually grows back after treatment ends.",
            "Rest and see if the fever goes away before calling anyone.",
        ],
        [
            "Tell your care team if the nausea lasts more than a day.",
            "Let your nurse know if your arm feels heavy.",
            "Your pharmacist can walk you through your pills.",
            "Visit cancer.gov to read more.",
            "If you have chest pain, get emergency help by calling 911.",
        ],
    ),
    "missing-disclaimer": (
        [
            "Chemotherapy is given in cycles.",
            "This is general information about radiation.",
            "The information here is accurate and up to date.",
        ],
        [
            "This is educational information only; talk with your doctor.",
            "The information here is general and may not fit your own case.",
            "This answer is meant for general education and cannot replace your doctor's advice.",
            "This may not be right for your situation, so please check with your care team.",
        ],
    ),
}


def _cases(fires: bool) -> list[pytest.ParameterSet]:
    return [
        pytest.param(rule, text, id=f"{rule}-{'flag' if fires else 'pass'}-{n}")
        for rule, (flag, ok) in FAMILIES.items()
        for n, text in enumerate(flag if fires else ok)
    ]


@pytest.mark.parametrize(("rule_id", "text"), _cases(True))
def test_every_wording_of_the_meaning_fires(rule_id: str, text: str) -> None:
    assert _raised(text, rule_id), text


@pytest.mark.parametrize(("rule_id", "text"), _cases(False))
def test_the_same_words_used_safely_do_not_fire(rule_id: str, text: str) -> None:
    assert not _raised(text, rule_id), text


def test_every_rule_but_the_formula_and_citations_has_a_family() -> None:
    checked = {"reading-level", "invalid-citation", "investigational-as-available"}
    assert {r.id for r in RULES.rules} - checked == set(FAMILIES)


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        (
            "For pancreatic cancer, CAR-T is only given in clinical trials. Ask your oncologist "
            "whether a trial fits you.",
            False,
        ),
        (
            "For pancreatic cancer, CAR-T is only given in clinical trials. Talk with your doctor "
            "about joining a study of it.",
            False,
        ),
        (
            "For pancreatic cancer, CAR-T is only given in clinical trials. Ask your oncologist "
            "whether it fits you.",
            True,
        ),
        ("CAR-T is now a treatment choice for pancreatic cancer. Ask about clinical trials.", True),
        ("Researchers are testing CAR-T for pancreatic cancer.", True),
    ],
)
def test_investigational_family(text: str, fires: bool) -> None:
    assert _raised(text, "investigational-as-available", cancer_type="pancreatic") == fires


def test_waiting_on_a_warning_sign_is_a_fail_and_a_plain_mention_a_warning() -> None:
    wait = check_rules("Confusion after CAR-T is expected; wait at home." + FOOTER, rules=RULES)
    plain = check_rules("CAR T-cell therapy can cause seizures." + FOOTER, rules=RULES)
    (w,) = [f for f in wait if f.rule_id == "emergency-without-action"]
    (p,) = [f for f in plain if f.rule_id == "emergency-without-action"]
    assert (w.severity, p.severity) == (Severity.FAIL, Severity.WARN)
    assert "wait" in w.message.lower() and w.message != p.message
