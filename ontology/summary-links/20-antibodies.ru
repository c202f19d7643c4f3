# Summary links from a patient to the autoantibody classes its test results record, one link
# property per antibody status (read from the ontology's dmkg:forStatus). Tumour-marker
# results share the status values and are left out: they are not autoantibody tests.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?patient ?link ?antibody }
WHERE {
  ?link rdfs:subPropertyOf dmkg:summaryLink ;
      dmkg:forStatus ?status .
  ?status a dmkg:AntibodyStatus .
  ?result dmkg:antibodyStatus ?status ;
      a dmkg:AntibodyTestResult ;
      dmkg:antibody ?antibody ;
      dmkg:ofPatient ?patient .
}
