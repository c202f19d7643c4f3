# Items not met: every class of the item is ruled out by an absent finding of that class or
# of a superclass (no muscle weakness rules out proximal upper limb weakness; a normal CK
# alone does not rule out "CK, LDH, AST or ALT elevated"); a negative result for the item's
# antibody or a superclass; an age at diagnosis outside the item's bounds. An item met by
# another record stays met.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?classification dmkgc:itemNotMet ?item }
WHERE {
  {
    SELECT ?item (COUNT(DISTINCT ?any) AS ?classes) WHERE {
      ?item dmkgc:satisfiedByFinding ?any .
    }
    GROUP BY ?item
  }
  {
    SELECT ?classification ?item (COUNT(DISTINCT ?class) AS ?ruled_out) WHERE {
      {
        SELECT DISTINCT ?criteria ?item ?class ?super WHERE {
          ?criteria dmkgc:hasItem ?item .
          ?item dmkgc:satisfiedByFinding ?class .
          ?class rdfs:subClassOf* ?super .
        }
      }
      ?patient dmkg:absentFinding ?super .
      ?classification dmkgc:classifiedPatient ?patient ;
          dmkgc:byCriteria ?criteria .
    }
    GROUP BY ?classification ?item
  }
  FILTER(?ruled_out = ?classes)
  FILTER NOT EXISTS { ?classification dmkgc:itemMet ?item }
};
INSERT { ?classification dmkgc:itemNotMet ?item }
WHERE {
  {
    SELECT DISTINCT ?criteria ?item ?super WHERE {
      ?criteria dmkgc:hasItem ?item .
      ?item dmkgc:satisfiedByAntibody ?antibody .
      ?antibody rdfs:subClassOf* ?super .
    }
  }
  ?patient dmkg:negativeFor ?super .
  ?classification dmkgc:classifiedPatient ?patient ;
      dmkgc:byCriteria ?criteria .
  FILTER NOT EXISTS { ?classification dmkgc:itemMet ?item }
};
INSERT { ?classification dmkgc:itemNotMet ?item }
WHERE {
  ?criteria dmkgc:hasItem ?item .
  ?item dmkgc:minimumAge ?minimum .
  OPTIONAL { ?item dmkgc:maximumAge ?maximum }
  ?classification dmkgc:byCriteria ?criteria ;
      dmkgc:classifiedPatient ?patient .
  ?patient dmkg:ageAtDiagnosis ?age .
  FILTER(?age < ?minimum || (BOUND(?maximum) && ?age >= ?maximum))
}
