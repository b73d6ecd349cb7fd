#include "coordinator/store/prob_chunk_store.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

struct TableNames {
  const char* table;
  const char* owner;
};

TableNames NamesOf(ChunkTable table) {
  return table == ChunkTable::kOof ? TableNames{"oof_chunks", "job_id"}
                                   : TableNames{"eval_prob_chunks", "prediction_job_id"};
}

absl::StatusOr<absl::flat_hash_set<int64_t>> StoredIds(Transaction& txn, ChunkTable table, int64_t owner) {
  const TableNames names = NamesOf(table);
  FS_ASSIGN_OR_RETURN(Statement chunks, txn.Prepare(
      absl::StrCat("SELECT id, n, ids FROM ", names.table, " WHERE ", names.owner, " = ?")));
  chunks.Bind(1, owner);
  absl::flat_hash_set<int64_t> stored;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, chunks.Step());
    if (!row) break;
    absl::StatusOr<std::vector<int64_t>> ids = DecodeIds(chunks.Blob(2), chunks.Int(1));
    if (!ids.ok()) {
      return absl::DataLossError(absl::StrCat(names.table, " row ", chunks.Int(0), ": ", ids.status().message()));
    }
    stored.insert(ids->begin(), ids->end());
  }
  return stored;
}

}  // namespace

absl::Status InsertChunk(Transaction& txn, ChunkTable table, int64_t owner, const EncodedChunk& chunk) {
  const TableNames names = NamesOf(table);
  FS_ASSIGN_OR_RETURN(Statement insert, txn.Prepare(absl::StrCat(
      "INSERT INTO ", names.table, "(", names.owner, ", width, n, ids, predicted, probs) VALUES(?, ?, ?, ?, ?, ?)")));
  insert.Bind(1, owner).Bind(2, chunk.width).Bind(3, chunk.rows);
  insert.BindBlob(4, chunk.ids).BindBlob(5, chunk.predicted).BindBlob(6, chunk.probs);
  return insert.Run().status();
}

absl::StatusOr<int64_t> AppendProbRows(Transaction& txn, ChunkTable table, int64_t owner,
                                       absl::Span<const int64_t> ids, absl::Span<const float> probs, int32_t width) {
  const size_t w = static_cast<size_t>(std::max(width, 0));
  if (probs.size() != ids.size() * w) {
    return absl::InvalidArgumentError(absl::StrCat(probs.size(), " probabilities for ", ids.size(), " rows x ", width));
  }
  FS_ASSIGN_OR_RETURN(absl::flat_hash_set<int64_t> stored, StoredIds(txn, table, owner));
  std::vector<int64_t> new_ids;
  std::vector<float> new_probs;
  new_ids.reserve(ids.size());
  new_probs.reserve(probs.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!stored.insert(ids[i]).second) continue;
    new_ids.push_back(ids[i]);
    new_probs.insert(new_probs.end(), probs.begin() + i * w, probs.begin() + (i + 1) * w);
  }
  for (size_t begin = 0; begin < new_ids.size(); begin += kChunkRows) {
    const size_t rows = std::min<size_t>(kChunkRows, new_ids.size() - begin);
    FS_ASSIGN_OR_RETURN(EncodedChunk chunk,
                        EncodeChunk(absl::MakeConstSpan(new_ids).subspan(begin, rows),
                                    absl::MakeConstSpan(new_probs).subspan(begin * w, rows * w), width));
    FS_RETURN_IF_ERROR(InsertChunk(txn, table, owner, chunk));
  }
  return static_cast<int64_t>(new_ids.size());
}

absl::StatusOr<int64_t> CountProbRows(Transaction& txn, ChunkTable table, int64_t owner) {
  const TableNames names = NamesOf(table);
  FS_ASSIGN_OR_RETURN(Statement count, txn.Prepare(
      absl::StrCat("SELECT coalesce(SUM(n), 0) FROM ", names.table, " WHERE ", names.owner, " = ?")));
  count.Bind(1, owner);
  FS_ASSIGN_OR_RETURN(bool row, count.Step());
  return row ? count.Int(0) : 0;
}

absl::Status DeleteProbRows(Transaction& txn, ChunkTable table, int64_t owner) {
  const TableNames names = NamesOf(table);
  FS_ASSIGN_OR_RETURN(Statement clear, txn.Prepare(
      absl::StrCat("DELETE FROM ", names.table, " WHERE ", names.owner, " = ?")));
  return clear.Bind(1, owner).Run().status();
}

}  // namespace foldstack::coordinator
