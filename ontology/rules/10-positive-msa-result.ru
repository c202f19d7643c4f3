# The defined class dmkg:PositiveMyositisSpecificResult, materialised without a reasoner:
# a positive antibody test result whose antibody is one of the individuals its definition
# lists. The list is read from the class definition itself, so it cannot drift from it.
# The registry-scale build (dmkg build --store) runs these rules in file-name order instead
# of HermiT; a test checks they infer exactly what HermiT infers on the bundled papers.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?result a dmkg:PositiveMyositisSpecificResult }
WHERE {
  {
    SELECT DISTINCT ?antibody WHERE {
      dmkg:PositiveMyositisSpecificResult owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first
          ?restriction .
      ?restriction owl:onProperty dmkg:antibody ;
          owl:someValuesFrom/owl:oneOf/rdf:rest*/rdf:first ?antibody .
    }
  }
  ?result dmkg:antibody ?antibody ;
      dmkg:antibodyStatus dmkg:Positive ;
      a dmkg:AntibodyTestResult .
}
