// Schema migration 11: probability rows move from JSON text (predictions, eval_probs) to chunks of
// little-endian blobs (oof_chunks, eval_prob_chunks; prob_chunks.h), and predictions / eval_probs
// become views that decode them, so analysts' queries on the JSON probs column keep working.
#ifndef FOLDSTACK_COORDINATOR_STORE_PROB_CHUNK_SCHEMA_H_
#define FOLDSTACK_COORDINATOR_STORE_PROB_CHUNK_SCHEMA_H_

#include "absl/status/status.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

// DDL of migration 11: the chunk tables and the views' helper tables.
const char* ProbChunkSchemaSql();

// Runs after ProbChunkSchemaSql(): converts every predictions and eval_probs row into chunks,
// then replaces both tables with their views. DATA_LOSS naming the row for one that is not a JSON
// array of its dataset's (or run's) number of classes.
absl::Status ConvertProbRowsToChunks(Transaction& txn);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PROB_CHUNK_SCHEMA_H_
