# Items met: a present finding of the item's class or of a subclass (an item with several
# classes is met by any); a positive result for the item's antibody or a subclass; an age at
# diagnosis within the item's bounds (the sources give no age at the first symptom; see
# ontology/criteria/eular-acr-2017.ttl).
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?classification dmkgc:itemMet ?item }
WHERE {
  ?criteria dmkgc:hasItem ?item .
  ?item dmkgc:satisfiedByFinding ?class .
  ?sub rdfs:subClassOf* ?class .
  ?patient dmkg:presentFinding ?sub .
  ?classification dmkgc:classifiedPatient ?patient ;
      dmkgc:byCriteria ?criteria .
};
INSERT { ?classification dmkgc:itemMet ?item }
WHERE {
  ?criteria dmkgc:hasItem ?item .
  ?item dmkgc:satisfiedByAntibody ?antibody .
  ?sub rdfs:subClassOf* ?antibody .
  ?patient dmkg:positiveFor ?sub .
  ?classification dmkgc:classifiedPatient ?patient ;
      dmkgc:byCriteria ?criteria .
};
INSERT { ?classification dmkgc:itemMet ?item }
WHERE {
  ?criteria dmkgc:hasItem ?item .
  ?item dmkgc:minimumAge ?minimum .
  OPTIONAL { ?item dmkgc:maximumAge ?maximum }
  ?classification dmkgc:byCriteria ?criteria ;
      dmkgc:classifiedPatient ?patient .
  ?patient dmkg:ageAtDiagnosis ?age .
  FILTER(?age >= ?minimum && (!BOUND(?maximum) || ?age < ?maximum))
}
