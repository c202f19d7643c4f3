# The category at each end of each score range: the category with the highest threshold at
# or below the score. Then "decided": both ends in the same category (with biopsy where the
# patient had one, else without), so no value of the unknown items can change it.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
INSERT { ?classification ?category_property ?category }
WHERE {
  VALUES (?score_property ?threshold_property ?category_property) {
    (dmkgc:scoreLow dmkgc:thresholdWithoutBiopsy dmkgc:categoryLow)
    (dmkgc:scoreHigh dmkgc:thresholdWithoutBiopsy dmkgc:categoryHigh)
    (dmkgc:biopsyScoreLow dmkgc:thresholdWithBiopsy dmkgc:biopsyCategoryLow)
    (dmkgc:biopsyScoreHigh dmkgc:thresholdWithBiopsy dmkgc:biopsyCategoryHigh)
  }
  ?classification ?score_property ?score ;
      dmkgc:byCriteria ?criteria .
  ?criteria dmkgc:hasCategory ?category .
  ?category ?threshold_property ?threshold .
  FILTER(?threshold <= ?score)
  FILTER NOT EXISTS {
    ?criteria dmkgc:hasCategory ?higher .
    ?higher ?threshold_property ?higher_threshold .
    FILTER(?higher_threshold <= ?score && ?higher_threshold > ?threshold)
  }
};
INSERT { ?classification dmkgc:decided ?decided }
WHERE {
  ?classification dmkgc:categoryLow ?low ;
      dmkgc:categoryHigh ?high .
  OPTIONAL { ?classification dmkgc:biopsyCategoryLow ?biopsy_low ; dmkgc:biopsyCategoryHigh ?biopsy_high }
  BIND(IF(BOUND(?biopsy_low), ?biopsy_low = ?biopsy_high, ?low = ?high) AS ?decided)
}
