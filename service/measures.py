"""The measures figures are counted in: id, label and plain-English meaning.

A declared list, like the dimension taxonomies, so that the OpenAPI schema can list every
measure as an enum without reading data at import time. tests/test_measures.py keeps it
in step with the seed packages: every measure a package uses is declared here, and every
measure declared here is used by a package. Order is alphabetical, as /v1/measures lists.
"""

from service.taxonomy import Term

MEASURES: tuple[Term, ...] = (
    Term(
        "action_not_broken_down",
        "Actions not broken down",
        "Cases that led to action which the retrieved answer does not break down by type.",
    ),
    Term(
        "action_taken",
        "Action taken",
        "Cases that led to formal or informal action of any kind.",
    ),
    Term(
        "adverse_finding_or_departure",
        "Adverse finding or departure",
        "People with a proven complaint or a finding of misuse, or who left before one.",
    ),
    Term(
        "allegation_category_named",
        "Allegation category named",
        "Allegations of one category, as the answer names and counts them.",
    ),
    Term(
        "alleged_misuse",
        "Alleged misuse",
        "Allegations of social-media misuse, or the people they were made against, where the "
        "source does not make clear which of the two it counts.",
    ),
    Term(
        "case_to_answer",
        "Case to answer",
        "Officers or staff an investigation found to have a case to answer, whatever then "
        "happened to them.",
    ),
    Term(
        "cases_by_platform",
        "Cases by platform",
        "Cases involving one platform; one case may involve several platforms.",
    ),
    Term(
        "cases_investigated",
        "Cases investigated",
        "Cases of officers or staff investigated over social media, as a force counted them "
        "for a survey; outlets call the same count cases, investigations, breaches or "
        "employees.",
    ),
    Term(
        "cases_investigated_in_region",
        "Cases investigated in a region",
        "Cases investigated in a group of forces that a source added up for its region: "
        "neither one force's count nor the national one.",
    ),
    Term(
        "charged_with_misconduct",
        "Charged with misconduct",
        "People formally charged with misconduct: a charge, not the outcome of one.",
    ),
    Term(
        "complained_about",
        "Complained about",
        "People with a complaint about their conduct on social media logged against them: a "
        "complaint logged, not an investigation.",
    ),
    Term(
        "complaint_proven",
        "Complaint proven",
        "People or allegations with a complaint proven, substantiated or upheld.",
    ),
    Term(
        "complaints_by_outcome",
        "Complaints by outcome",
        "Complaints (not people) counted by how they ended.",
    ),
    Term(
        "complaints_logged",
        "Complaints logged",
        "Complaints (or reports) about conduct on social media logged against officers or "
        "staff, whether or not investigated; one person may face several.",
    ),
    Term(
        "disciplined",
        "Disciplined",
        "People disciplined over social networking, whatever the sanction.",
    ),
    Term(
        "fined",
        "Fined",
        "Officers fined, such as a deduction from pay, as a disciplinary outcome.",
    ),
    Term(
        "forces_answered",
        "Forces that answered",
        "Forces that answered a survey's request, of those asked.",
    ),
    Term(
        "forces_asked",
        "Forces asked",
        "Forces a survey's request was sent to.",
    ),
    Term(
        "formal_disciplinary_action",
        "Formal disciplinary action",
        "People given a formal disciplinary outcome rather than management action.",
    ),
    Term(
        "investigated",
        "Investigated",
        "People investigated over their use of social media: the total the others part.",
    ),
    Term(
        "investigated_rank_band",
        "Investigated, by rank band",
        "Officers investigated, counted in a band of ranks rather than one rank.",
    ),
    Term(
        "investigated_without_recorded_action",
        "Investigated, no action recorded",
        "Officers investigated for whom the answer records no action.",
    ),
    Term(
        "left_the_force",
        "Left the force",
        "People who resigned, retired, were required to resign or were dismissed, counted "
        "together as the source gives them.",
    ),
    Term(
        "management_action_or_advice",
        "Management action or advice",
        "Management action, guidance or words of advice, counted together; the source may not "
        "say whether it counts people or complaints.",
    ),
    Term(
        "ongoing_or_other",
        "Ongoing or other",
        "Allegations still being dealt with, or with no stated outcome.",
    ),
    Term(
        "outcome_category_named",
        "Outcome category named",
        "An outcome the answer names as used, with or without a count.",
    ),
    Term(
        "people_by_outcome",
        "People by outcome",
        "People counted by what happened to them: dismissed, warned, cleared and so on.",
    ),
    Term(
        "platform_named",
        "Platform named",
        "A platform the answer names among those involved, with or without a count.",
    ),
    Term(
        "proceedings_brought",
        "Proceedings brought",
        "Officers who faced disciplinary proceedings over social networking.",
    ),
    Term(
        "refused_to_answer",
        "Refused to answer",
        "Forces that refused a survey's request: a refusal, not a count of zero.",
    ),
    Term(
        "reprimand_or_written_warning",
        "Reprimand or written warning",
        "Staff reprimanded or given a written warning, counted together by the answer.",
    ),
    Term(
        "sanctioned",
        "Sanctioned",
        "Officers given any sanction after an investigation.",
    ),
    Term(
        "share_of_cases",
        "Share of cases",
        "A share of a survey's cases, printed only as a percentage or a fraction; never "
        "turned into a count.",
    ),
    Term(
        "warning_or_advice",
        "Written warning or advice",
        "People given a written warning or management advice, counted together by the answer.",
    ),
)

MEASURE_IDS: tuple[str, ...] = tuple(m.code for m in MEASURES)
