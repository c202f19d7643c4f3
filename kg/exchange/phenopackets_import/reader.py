"""One phenopacket read into one YAML patient of the curated format."""

from __future__ import annotations

import re
from typing import Any

from phenopackets import Sex

from kg.exchange.phenopackets_import.context import PacketContext
from kg.exchange.phenopackets_import.problems import COHORT_ID
from kg.exchange.phenopackets_import.records import read_actions, read_measurements
from kg.exchange.phenopackets_import.subject import read_diseases, read_features, read_outcome

__all__ = ["PacketReader"]


class PacketReader(PacketContext):
    """Turns one phenopacket into a YAML patient, collecting problems and notes."""

    def read(self) -> dict[str, Any] | None:
        pk = self.packet
        case = pk.subject.id or pk.id
        if not case:
            self.problem(
                "$.subject.id", "", "phenopacket without subject id or id", "an id for the patient"
            )
            return None
        if re.search(r'[\t\r\n"]', case):
            self.problem(
                "$.subject.id",
                case,
                "subject id with a tab, line break or double quote",
                "an id that can be a case label in a table",
            )
            return None
        patient: dict[str, Any] = {
            "case": case,
            "cohort": COHORT_ID,
            "section": f"phenopacket {self.file}",
        }
        read_diseases(self, patient)
        if pk.subject.sex in (Sex.FEMALE, Sex.MALE):
            word = "female" if pk.subject.sex == Sex.FEMALE else "male"
            patient["sex"] = self.item("$.subject.sex", Sex.Name(pk.subject.sex), value=word)
        elif pk.subject.sex != Sex.UNKNOWN_SEX:
            self.note(
                "$.subject.sex",
                Sex.Name(pk.subject.sex),
                "not imported: dmkg records female or male",
            )
        read_features(self, patient)
        read_measurements(self, patient)
        read_actions(self, patient)
        read_outcome(self, patient)
        self.unsupported(
            "$",
            {
                "biosamples": bool(pk.biosamples),
                "interpretations": bool(pk.interpretations),
                "files": bool(pk.files),
            },
        )
        self.unsupported(
            "$.subject",
            {
                "timeAtLastEncounter": pk.subject.HasField("time_at_last_encounter"),
                "dateOfBirth": pk.subject.HasField("date_of_birth"),
                "alternateIds": bool(pk.subject.alternate_ids),
                "karyotypicSex": bool(pk.subject.karyotypic_sex),
                "gender": pk.subject.HasField("gender"),
            },
        )
        return patient
