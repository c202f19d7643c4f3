# The defined class dmkg:CancerWithinTwoYears: a cancer diagnosis whose DM-to-cancer interval
# lies between -24 and 24 months inclusive (the datatype restriction of its definition).
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { ?cancer a dmkg:CancerWithinTwoYears }
WHERE {
  ?cancer a dmkg:CancerDiagnosis ;
      dmkg:intervalMonths ?months .
  FILTER (?months >= -24 && ?months <= 24)
}
