# Possible subgroups, for a patient whose highest score (with biopsy where there was one)
# reaches a category that classifies as IIM: every leaf of the subclassification tree whose
# conditions the records do not contradict. A feature is yes when one of its items is met or
# a finding of its class (or a subclass) is present; no when all its items are not met and
# every feature class is ruled out by an absent finding (of it or a superclass); otherwise
# unknown, and both branches stay possible. One subgroup means the records decide it.
# The feature values are working triples (urn:dmkg:working:...), removed at the end.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?classification <urn:dmkg:working:featureYes> ?feature }
WHERE {
  {
    ?feature dmkgc:featureItem ?item .
    ?classification dmkgc:itemMet ?item .
  }
  UNION
  {
    {
      SELECT DISTINCT ?feature ?sub WHERE {
        ?feature dmkgc:featureFinding ?class .
        ?sub rdfs:subClassOf* ?class .
      }
    }
    ?patient dmkg:presentFinding ?sub .
    ?classification dmkgc:classifiedPatient ?patient .
  }
};
INSERT { ?classification <urn:dmkg:working:featureNo> ?feature }
WHERE {
  {
    SELECT ?feature (COUNT(DISTINCT ?item) AS ?items) WHERE {
      ?feature a dmkgc:ClassificationFeature .
      OPTIONAL { ?feature dmkgc:featureItem ?item }
    }
    GROUP BY ?feature
  }
  {
    SELECT ?feature (COUNT(DISTINCT ?class) AS ?classes) WHERE {
      ?feature a dmkgc:ClassificationFeature .
      OPTIONAL { ?feature dmkgc:featureFinding ?class }
    }
    GROUP BY ?feature
  }
  {
    SELECT ?classification ?feature (COUNT(DISTINCT ?item) AS ?items_out) WHERE {
      ?feature dmkgc:featureItem ?item .
      ?classification dmkgc:itemNotMet ?item .
    }
    GROUP BY ?classification ?feature
  }
  OPTIONAL {
    {
      SELECT ?classification ?feature (COUNT(DISTINCT ?class) AS ?classes_out) WHERE {
        {
          SELECT DISTINCT ?feature ?class ?super WHERE {
            ?feature dmkgc:featureFinding ?class .
            ?class rdfs:subClassOf* ?super .
          }
        }
        ?patient dmkg:absentFinding ?super .
        ?classification dmkgc:classifiedPatient ?patient .
      }
      GROUP BY ?classification ?feature
    }
  }
  FILTER(?items_out = ?items && COALESCE(?classes_out, 0) = ?classes)
};
INSERT { ?classification dmkgc:possibleSubgroup ?subgroup }
WHERE {
  ?classification dmkgc:byCriteria ?criteria ;
      dmkgc:categoryHigh ?high .
  OPTIONAL { ?classification dmkgc:biopsyCategoryHigh ?biopsy_high }
  BIND(COALESCE(?biopsy_high, ?high) AS ?top)
  ?top dmkgc:classifiesAs true .
  ?criteria dmkgc:hasSubgroupRule ?rule .
  ?rule dmkgc:ruleSubgroup ?subgroup .
  FILTER NOT EXISTS {
    ?rule dmkgc:whenYes ?feature .
    ?classification <urn:dmkg:working:featureNo> ?feature .
  }
  FILTER NOT EXISTS {
    ?rule dmkgc:whenNo ?feature .
    ?classification <urn:dmkg:working:featureYes> ?feature .
  }
};
DELETE WHERE { ?classification <urn:dmkg:working:featureYes> ?feature };
DELETE WHERE { ?classification <urn:dmkg:working:featureNo> ?feature }
