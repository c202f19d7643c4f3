"""Reading a phenopacket's diseases, phenotypic features and vital status."""

from __future__ import annotations

import re
from typing import Any

from phenopackets import VitalStatus

from kg.exchange.identifiers import LATERALITY, SEVERITY
from kg.exchange.phenopacket_rules import interval_from_onsets
from kg.exchange.phenopackets_import.context import (
    PacketContext,
    months_from_days,
    plain_number,
)
from kg.loaders.cells import RELATION
from kg.namespaces import DMKG

__all__ = ["read_diseases", "read_features", "read_outcome"]

_SEVERITY_WORD = {curie: word for word, curie in SEVERITY.items()}
_LATERALITY_WORD = {curie: word for word, curie in LATERALITY.items()}
_RELATION_WORD = {cls: word for word, cls in RELATION.items()}


def read_diseases(ctx: PacketContext, patient: dict[str, Any]) -> None:
    dm_found = False
    for i, disease in enumerate(ctx.packet.diseases):
        path = f"$.diseases[{i}]"
        cls = ctx.term(
            f"{path}.term.id", disease.term.id, disease.term.label, "disease", "disease term"
        )
        if cls is None:
            continue
        verbatim = f"{disease.term.id} {disease.term.label}".strip()
        if ctx.mapper.is_under(cls, DMKG.Dermatomyositis):
            if disease.excluded:
                ctx.note(path, verbatim, "dermatomyositis excluded")
                continue
            dm_found = True
            if cls != DMKG.Dermatomyositis:
                ctx.note(
                    f"{path}.term",
                    verbatim,
                    "imported as dermatomyositis: the curated format has no place for the subtype",
                )
            read_age(ctx, patient, disease, path)
        elif ctx.mapper.is_under(cls, DMKG.Malignancy):
            if disease.excluded:
                ctx.note(path, verbatim, "not imported: dmkg records no excluded cancers")
                continue
            cancer = ctx.item(path, verbatim, malignancy=ctx.mapper.class_label(cls))
            side = _LATERALITY_WORD.get(disease.laterality.id)
            if side:
                cancer["laterality"] = side
            elif disease.laterality.id:
                ctx.note(
                    f"{path}.laterality",
                    disease.laterality.id,
                    "not imported: dmkg records left or right",
                )
            read_cancer_timing(ctx, cancer, disease, path)
            patient.setdefault("cancers", []).append(cancer)
        elif ctx.mapper.is_under(cls, DMKG.ClinicalFinding):
            status = "absent" if disease.excluded else "present"
            patient.setdefault("findings", []).append(
                ctx.item(path, verbatim, term=ctx.mapper.class_label(cls), status=status)
            )
        else:
            ctx.note(
                path,
                verbatim,
                "not imported: neither dermatomyositis, a cancer nor a clinical finding",
            )
            continue
        ctx.unsupported(
            path,
            {
                "resolution": disease.HasField("resolution"),
                "diseaseStage": bool(disease.disease_stage)
                and not ctx.mapper.is_under(cls, DMKG.Malignancy),
                "clinicalTnmFinding": bool(disease.clinical_tnm_finding),
                "primarySite": disease.HasField("primary_site"),
            },
        )
    if not dm_found:
        ctx.problem(
            "$.diseases",
            "",
            "not a dermatomyositis patient",
            "a diseases entry with MONDO:0016367 dermatomyositis or a subtype",
        )


def read_cancer_timing(ctx: PacketContext, cancer: dict[str, Any], disease: Any, path: str) -> None:
    """The DM-to-cancer interval from the cancer's onset age and the DM onset age, and its
    temporal relation from a dmkg term in ``diseaseStage`` (as the export writes them)."""
    if disease.HasField("onset"):
        dm_onsets = [
            d.onset.age.iso8601duration
            for d in ctx.packet.diseases
            if d.HasField("onset") and not d.excluded and _is_dm(ctx, d.term.id)
        ]
        interval = (
            interval_from_onsets(dm_onsets[0], disease.onset.age.iso8601duration)
            if len(dm_onsets) == 1
            else None
        )
        if interval is None:
            ctx.note(
                f"{path}.onset",
                disease.onset.age.iso8601duration or disease.onset.WhichOneof("element") or "",
                "not imported: a cancer onset is kept as an age in years and months beside "
                "one dermatomyositis onset age",
            )
        else:
            cancer["interval_months"] = int(interval)
    for j, stage in enumerate(disease.disease_stage):
        cls = DMKG._NS[stage.id.split(":", 1)[1]] if stage.id.startswith("dmkg:") else None
        word = _RELATION_WORD.get(cls) if cls is not None else None
        if word is None:
            ctx.note(
                f"{path}.diseaseStage[{j}]", stage.id, "not imported: dmkg has no place for it"
            )
        else:
            cancer["relation"] = word


def _is_dm(ctx: PacketContext, curie: str) -> bool:
    cls = ctx.mapper.from_curie(curie, "disease")
    return cls is not None and ctx.mapper.is_under(cls, DMKG.Dermatomyositis)


def read_age(ctx: PacketContext, patient: dict[str, Any], disease: Any, path: str) -> None:
    if not disease.HasField("onset"):
        return
    iso = disease.onset.age.iso8601duration
    match = re.fullmatch(r"P(\d+)Y(?:\d+M)?(?:\d+D)?", iso)
    if match:
        patient["age"] = ctx.item(f"{path}.onset.age", iso, value=int(match.group(1)))
    else:
        ctx.note(
            f"{path}.onset",
            iso or disease.onset.WhichOneof("element") or "",
            "not imported: the age at diagnosis must be an ISO 8601 age in years",
        )


def read_features(ctx: PacketContext, patient: dict[str, Any]) -> None:
    for i, feature in enumerate(ctx.packet.phenotypic_features):
        path = f"$.phenotypicFeatures[{i}]"
        cls = ctx.term(
            f"{path}.type.id", feature.type.id, feature.type.label, "phenotype", "HPO term"
        )
        if cls is None:
            continue
        verbatim = f"{feature.type.id} {feature.type.label}".strip()
        if feature.excluded:
            verbatim += " (excluded)"
        if ctx.mapper.is_under(cls, DMKG.Autoantibody):
            result = "negative" if feature.excluded else "positive"
            patient.setdefault("antibodies", []).append(
                ctx.item(path, verbatim, antibody=ctx.mapper.class_label(cls), result=result)
            )
        else:
            finding = ctx.item(
                path,
                verbatim,
                term=ctx.mapper.class_label(cls),
                status="absent" if feature.excluded else "present",
            )
            if feature.HasField("severity"):
                word = _SEVERITY_WORD.get(feature.severity.id)
                if word:
                    finding["severity"] = word
                    finding["verbatim"] += (
                        f"; severity {feature.severity.id} {feature.severity.label}".rstrip()
                    )
                else:
                    ctx.note(
                        f"{path}.severity",
                        feature.severity.id,
                        "not imported: not an HPO severity term",
                    )
            patient.setdefault("findings", []).append(finding)
        ctx.unsupported(
            path,
            {
                "description": bool(feature.description),
                "modifiers": bool(feature.modifiers),
                "onset": feature.HasField("onset"),
                "resolution": feature.HasField("resolution"),
                "evidence": bool(feature.evidence),
            },
        )


def read_outcome(ctx: PacketContext, patient: dict[str, Any]) -> None:
    vital = ctx.packet.subject.vital_status
    if not ctx.packet.subject.HasField("vital_status"):
        return
    words = {
        VitalStatus.ALIVE: "alive",
        VitalStatus.DECEASED: "dead",
        VitalStatus.UNKNOWN_STATUS: "lost to follow-up",
    }
    verbatim = VitalStatus.Status.Name(vital.status)
    outcome = ctx.item("$.subject.vitalStatus", verbatim, status=words[vital.status])
    if vital.survival_time_in_days:
        outcome["months"] = plain_number(float(months_from_days(vital.survival_time_in_days)))
        outcome["verbatim"] += f"; survivalTimeInDays {vital.survival_time_in_days}"
    patient["outcome"] = outcome
    ctx.unsupported(
        "$.subject.vitalStatus",
        {
            "timeOfDeath": vital.HasField("time_of_death"),
            "causeOfDeath": vital.HasField("cause_of_death"),
        },
    )
