# Items unknown: every other item that applies to the patient. Items scored without biopsy
# apply to every patient; biopsy-only items (no dmkgc:pointsWithoutBiopsy) only to a patient
# with some muscle biopsy finding recorded present or absent.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?classification dmkgc:itemUnknown ?item }
WHERE {
  {
    ?classification dmkgc:byCriteria ?criteria .
    ?criteria dmkgc:hasItem ?item .
    ?item dmkgc:pointsWithoutBiopsy ?points .
  }
  UNION
  {
    {
      SELECT DISTINCT ?classification ?criteria WHERE {
        {
          SELECT DISTINCT ?criteria ?finding WHERE {
            ?criteria dmkgc:biopsyFinding ?biopsy .
            ?finding rdfs:subClassOf* ?biopsy .
          }
        }
        ?patient dmkg:presentFinding|dmkg:absentFinding ?finding .
        ?classification dmkgc:classifiedPatient ?patient ;
            dmkgc:byCriteria ?criteria .
      }
    }
    ?criteria dmkgc:hasItem ?item .
    FILTER NOT EXISTS { ?item dmkgc:pointsWithoutBiopsy ?points }
  }
  FILTER NOT EXISTS { ?classification dmkgc:itemMet|dmkgc:itemNotMet ?item }
}
