# A patient linked to its outcome records (the inverse of dmkg:ofPatient for outcomes), so that
# survival queries find each patient's outcome without scanning every record's patient link.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
INSERT { ?patient dmkg:hasOutcome ?outcome }
WHERE {
  ?outcome a dmkg:Outcome ;
      dmkg:ofPatient ?patient .
}
