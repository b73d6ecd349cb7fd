// Probability rows stored as chunks (prob_chunks.h): OOF rows of training jobs in oof_chunks,
// eval rows of prediction jobs in eval_prob_chunks. Both tables have the same shape; a chunk
// belongs to one job (its owner).
#ifndef FOLDSTACK_COORDINATOR_STORE_PROB_CHUNK_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_PROB_CHUNK_STORE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/store/prob_chunks.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

enum class ChunkTable {
  kOof,   // oof_chunks, owned by jobs.id; ids are samples.id
  kEval,  // eval_prob_chunks, owned by prediction_jobs.id; ids are prediction_images.idx
};

// Stores one encoded chunk of `owner`'s rows as it is (no check against rows already stored).
absl::Status InsertChunk(Transaction& txn, ChunkTable table, int64_t owner, const EncodedChunk& chunk);

// Stores the rows (ids.size() x width probabilities) whose id `owner` has not stored yet, in
// chunks of at most kChunkRows; a repeated id is kept once (its first row). Returns how many rows
// were new.
absl::StatusOr<int64_t> AppendProbRows(Transaction& txn, ChunkTable table, int64_t owner,
                                       absl::Span<const int64_t> ids, absl::Span<const float> probs, int32_t width);

// How many rows `owner` has stored.
absl::StatusOr<int64_t> CountProbRows(Transaction& txn, ChunkTable table, int64_t owner);

// Removes every row of `owner`.
absl::Status DeleteProbRows(Transaction& txn, ChunkTable table, int64_t owner);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PROB_CHUNK_STORE_H_
