# The defined patient classes: a patient with a positive myositis-specific result
# (dmkg:MSAPositivePatient) and a patient with a cancer within two years of DM
# (dmkg:CancerAssociatedDMPatient). dmkg:hasObservation is the inverse of dmkg:ofPatient,
# which is what the data states.
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
INSERT { ?patient a ?class }
WHERE {
  VALUES (?observation_class ?class) {
    (dmkg:PositiveMyositisSpecificResult dmkg:MSAPositivePatient)
    (dmkg:CancerWithinTwoYears dmkg:CancerAssociatedDMPatient)
  }
  ?observation a ?observation_class ;
      dmkg:ofPatient ?patient .
  ?patient a dmkg:Patient .
}
