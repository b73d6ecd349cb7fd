// Schema migration 4: trained models kept for later use, and prediction runs on the competition's
// eval set (submissions).
#ifndef FOLDSTACK_COORDINATOR_STORE_PREDICTION_SCHEMA_H_
#define FOLDSTACK_COORDINATOR_STORE_PREDICTION_SCHEMA_H_

namespace foldstack::coordinator {

// DDL of migration 4 (see migrations.cc).
const char* PredictionSchemaSql();

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PREDICTION_SCHEMA_H_
