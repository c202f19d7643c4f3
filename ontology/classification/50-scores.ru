# Score ranges. The lowest score adds the points of the items met; the highest adds those of
# every item not ruled out (met or unknown). Items of one exclusive group (the age bands)
# add at most one item's points. Without biopsy for every classification; with biopsy only
# where the patient's biopsy-only items were assessed (some biopsy finding was recorded).
# Joins, not a FILTER EXISTS per item: this runs on 10,000 patients a batch.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { ?classification dmkgc:scoreLow ?low ; dmkgc:scoreHigh ?high }
WHERE {
  {
    SELECT ?classification (SUM(?group_low) AS ?low_sum) (SUM(?group_high) AS ?high_sum)
    WHERE {
      {
        SELECT ?classification ?group (MAX(?met_points) AS ?group_low)
            (MAX(?points) AS ?group_high)
        WHERE {
          {
            # a zero, so that a classification with every item ruled out still sums
            ?classification a dmkgc:PatientClassification .
            BIND("" AS ?group)
            BIND(0.0 AS ?points)
            BIND(0.0 AS ?met_points)
          }
          UNION
          {
            VALUES (?link ?met) { (dmkgc:itemMet true) (dmkgc:itemUnknown false) }
            ?classification ?link ?item .
            ?item dmkgc:pointsWithoutBiopsy ?points .
            OPTIONAL { ?item dmkgc:exclusiveGroup ?exclusive }
            BIND(COALESCE(?exclusive, STR(?item)) AS ?group)
            BIND(IF(?met, ?points, 0.0) AS ?met_points)
          }
        }
        GROUP BY ?classification ?group
      }
    }
    GROUP BY ?classification
  }
  # one lexical form in both engines (Oxigraph writes a decimal 8 as "8", rdflib keeps the
  # "8.0" a sum gives): the points have one decimal, so the sum is a whole number of tenths
  BIND(xsd:integer(ROUND(?low_sum * 10)) AS ?low_tenths)
  BIND(xsd:integer(ROUND(?high_sum * 10)) AS ?high_tenths)
  BIND(xsd:integer(FLOOR(?low_tenths / 10)) AS ?low_units)
  BIND(xsd:integer(FLOOR(?high_tenths / 10)) AS ?high_units)
  BIND(?low_tenths - 10 * ?low_units AS ?low_decimals)
  BIND(?high_tenths - 10 * ?high_units AS ?high_decimals)
  BIND(STRDT(IF(?low_decimals = 0, STR(?low_units),
                CONCAT(STR(?low_units), ".", STR(?low_decimals))), xsd:decimal) AS ?low)
  BIND(STRDT(IF(?high_decimals = 0, STR(?high_units),
                CONCAT(STR(?high_units), ".", STR(?high_decimals))), xsd:decimal) AS ?high)
};
INSERT { ?classification dmkgc:biopsyScoreLow ?low ; dmkgc:biopsyScoreHigh ?high }
WHERE {
  {
    SELECT ?classification (SUM(?group_low) AS ?low_sum) (SUM(?group_high) AS ?high_sum)
    WHERE {
      {
        SELECT DISTINCT ?classification WHERE {
          {
            SELECT ?biopsy_item WHERE {
              ?biopsy_item dmkgc:pointsWithBiopsy ?any .
              FILTER NOT EXISTS { ?biopsy_item dmkgc:pointsWithoutBiopsy ?none }
            }
          }
          ?classification dmkgc:itemMet|dmkgc:itemNotMet|dmkgc:itemUnknown ?biopsy_item .
        }
      }
      {
        SELECT ?classification ?group (MAX(?met_points) AS ?group_low)
            (MAX(?points) AS ?group_high)
        WHERE {
          {
            # a zero, so that a classification with every item ruled out still sums
            ?classification a dmkgc:PatientClassification .
            BIND("" AS ?group)
            BIND(0.0 AS ?points)
            BIND(0.0 AS ?met_points)
          }
          UNION
          {
            VALUES (?link ?met) { (dmkgc:itemMet true) (dmkgc:itemUnknown false) }
            ?classification ?link ?item .
            ?item dmkgc:pointsWithBiopsy ?points .
            OPTIONAL { ?item dmkgc:exclusiveGroup ?exclusive }
            BIND(COALESCE(?exclusive, STR(?item)) AS ?group)
            BIND(IF(?met, ?points, 0.0) AS ?met_points)
          }
        }
        GROUP BY ?classification ?group
      }
    }
    GROUP BY ?classification
  }
  # one lexical form in both engines (Oxigraph writes a decimal 8 as "8", rdflib keeps the
  # "8.0" a sum gives): the points have one decimal, so the sum is a whole number of tenths
  BIND(xsd:integer(ROUND(?low_sum * 10)) AS ?low_tenths)
  BIND(xsd:integer(ROUND(?high_sum * 10)) AS ?high_tenths)
  BIND(xsd:integer(FLOOR(?low_tenths / 10)) AS ?low_units)
  BIND(xsd:integer(FLOOR(?high_tenths / 10)) AS ?high_units)
  BIND(?low_tenths - 10 * ?low_units AS ?low_decimals)
  BIND(?high_tenths - 10 * ?high_units AS ?high_decimals)
  BIND(STRDT(IF(?low_decimals = 0, STR(?low_units),
                CONCAT(STR(?low_units), ".", STR(?low_decimals))), xsd:decimal) AS ?low)
  BIND(STRDT(IF(?high_decimals = 0, STR(?high_units),
                CONCAT(STR(?high_units), ".", STR(?high_decimals))), xsd:decimal) AS ?high)
}
