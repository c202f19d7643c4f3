"""Reading a phenopacket's measurements and medical actions (treatments and procedures)."""

from __future__ import annotations

from typing import Any

from kg.exchange.identifiers import CK_ASSAY, ROUTES
from kg.exchange.phenopackets_import.context import PacketContext, month_of, plain_number
from kg.namespaces import DMKG

__all__ = ["read_actions", "read_measurements"]

_ROUTE_WORD = {curie: word for word, (curie, _) in ROUTES.items()}


def read_measurements(ctx: PacketContext, patient: dict[str, Any]) -> None:
    for i, measurement in enumerate(ctx.packet.measurements):
        path = f"$.measurements[{i}]"
        if measurement.assay.id != CK_ASSAY[0]:
            ctx.problem(
                f"{path}.assay.id",
                f"{measurement.assay.id} {measurement.assay.label}".strip(),
                "no dmkg analyte for this assay",
                f"{CK_ASSAY[0]} {CK_ASSAY[1]}",
            )
            continue
        if not measurement.value.HasField("quantity"):
            ctx.note(f"{path}.value", "", "not imported: no numeric quantity")
            continue
        quantity = measurement.value.quantity
        unit = (
            quantity.unit.id.split(":", 1)[1]
            if quantity.unit.id.upper().startswith("UCUM:")
            else quantity.unit.label or quantity.unit.id
        )
        verbatim = f"{CK_ASSAY[0]} {plain_number(quantity.value)} {unit}".strip()
        lab = ctx.item(
            path, verbatim, analyte="creatine kinase", value=plain_number(quantity.value)
        )
        if unit:
            lab["unit"] = unit
        ranged = quantity.HasField("reference_range")
        if measurement.description:
            lab["timepoint"] = measurement.description
            if ranged:
                ctx.note(
                    f"{path}.value.quantity.referenceRange",
                    "",
                    "not imported: a reference range and a time point cannot be kept together",
                )
                ranged = False
        if ranged:
            low, high = quantity.reference_range.low, quantity.reference_range.high
            lab["reference"] = [plain_number(low), plain_number(high)]
            ctx.ranged.append(lab)
        else:
            patient.setdefault("labs", []).append(lab)
        ctx.unsupported(
            path,
            {
                "timeObserved": measurement.HasField("time_observed"),
                "procedure": measurement.HasField("procedure"),
            },
        )


def read_actions(ctx: PacketContext, patient: dict[str, Any]) -> None:
    for i, action in enumerate(ctx.packet.medical_actions):
        path = f"$.medicalActions[{i}]"
        kind = action.WhichOneof("action")
        if kind == "treatment":
            term, where = action.treatment.agent, f"{path}.treatment.agent.id"
        elif kind == "procedure":
            term, where = action.procedure.code, f"{path}.procedure.code.id"
        else:
            ctx.note(
                f"{path}.{kind or 'action'}",
                "",
                "not imported: dmkg records treatments and procedures",
            )
            continue
        cls = ctx.term(where, term.id, term.label, "intervention", "agent or procedure term")
        if cls is None:
            continue
        item = ctx.item(
            path, f"{term.id} {term.label}".strip(), intervention=ctx.mapper.class_label(cls)
        )
        if action.HasField("treatment_target"):
            target = ctx.term(
                f"{path}.treatmentTarget.id",
                action.treatment_target.id,
                action.treatment_target.label,
                "disease",
                "disease term",
            )
            if target is not None:
                item["for"] = ctx.mapper.class_label(
                    DMKG.Dermatomyositis
                    if ctx.mapper.is_under(target, DMKG.Dermatomyositis)
                    else target
                )
        if kind == "treatment":
            read_treatment(ctx, item, action.treatment, f"{path}.treatment")
        else:
            performed = action.procedure.performed
            if performed.HasField("interval"):
                item["start"] = month_of(performed.interval.start)
                item["end"] = month_of(performed.interval.end)
            elif performed.HasField("timestamp"):
                item["start"] = item["end"] = month_of(performed.timestamp)
            elif action.procedure.HasField("performed"):
                ctx.note(
                    f"{path}.procedure.performed",
                    "",
                    "not imported: dmkg records procedure dates as months",
                )
            ctx.unsupported(
                f"{path}.procedure", {"bodySite": action.procedure.HasField("body_site")}
            )
        ctx.unsupported(
            path,
            {
                "treatmentIntent": action.HasField("treatment_intent"),
                "responseToTreatment": action.HasField("response_to_treatment"),
                "adverseEvents": bool(action.adverse_events),
                "treatmentTerminationReason": action.HasField("treatment_termination_reason"),
            },
        )
        patient.setdefault("treatments", []).append(item)


def read_treatment(ctx: PacketContext, item: dict[str, Any], treatment: Any, path: str) -> None:
    for j, dose in enumerate(treatment.dose_intervals):
        where = f"{path}.doseIntervals[{j}]"
        if j > 0:
            ctx.note(where, "", "not imported: dmkg keeps one dose per treatment record")
            continue
        if dose.HasField("quantity"):
            unit = dose.quantity.unit.id
            item["dose_value"] = plain_number(dose.quantity.value)
            item["dose_unit"] = (
                unit.split(":", 1)[1]
                if unit.upper().startswith("UCUM:")
                else dose.quantity.unit.label or unit
            )
        if dose.HasField("interval"):
            item["start"] = month_of(dose.interval.start)
            item["end"] = month_of(dose.interval.end)
        ctx.unsupported(where, {"scheduleFrequency": dose.HasField("schedule_frequency")})
    route = _ROUTE_WORD.get(treatment.route_of_administration.id)
    if route:
        item["route"] = route
    ctx.unsupported(
        path,
        {
            "routeOfAdministration": treatment.HasField("route_of_administration") and not route,
            "drugType": bool(treatment.drug_type),
            "cumulativeDose": treatment.HasField("cumulative_dose"),
        },
    )
