# Summary links from a patient to the finding classes its observations record, one link
# property per finding status; the property for each status is read from the ontology
# (dmkg:forStatus), so the two cannot drift apart. Both builds run these after
# classification (kg/summary_links.py).
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?patient ?link ?finding }
WHERE {
  ?link rdfs:subPropertyOf dmkg:summaryLink ;
      dmkg:forStatus ?status .
  ?status a dmkg:FindingStatus .
  ?observation dmkg:findingStatus ?status ;
      a dmkg:FindingObservation ;
      dmkg:finding ?finding ;
      dmkg:ofPatient ?patient .
}
