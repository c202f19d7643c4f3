# One classification record per patient and criteria set (ontology/criteria/*.ttl). Its IRI
# is an opaque digest of the patient and the criteria set, so both builds name it alike.
# The updates in this folder run in file-name order after the summary links, in both builds
# (kg/reason/classification.py); they read the links and the patient's age.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
INSERT {
  ?classification a dmkgc:PatientClassification ;
      dmkgc:classifiedPatient ?patient ;
      dmkgc:byCriteria ?criteria .
}
WHERE {
  ?criteria a dmkgc:ClassificationCriteria .
  ?patient a dmkg:Patient .
  BIND(IRI(CONCAT("https://w3id.org/dmkg/data/classification/",
                  SUBSTR(SHA1(CONCAT(STR(?patient), " ", STR(?criteria))), 1, 16)))
       AS ?classification)
}
