#include "coordinator/store/prob_chunk_schema.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status_macros.h"
#include "coordinator/store/prob_chunk_store.h"
#include "coordinator/store/probs_json.h"

namespace foldstack::coordinator {
namespace {

// prob_seq, prob_pow2 and prob_hex16 exist for the views: plain SQL has no way to read a number
// out of a blob, so the views hex() it and look up 16 bits at a time, then scale a float32's
// mantissa by a power of two (exact in a double).
constexpr char kSchemaV11[] = R"sql(
CREATE TABLE oof_chunks(
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  width INTEGER NOT NULL CHECK(width BETWEEN 0 AND 4096),  -- classes per row
  n INTEGER NOT NULL CHECK(n BETWEEN 1 AND 512),            -- rows
  ids BLOB NOT NULL,                    -- n little-endian int32: samples.id
  predicted BLOB NOT NULL,              -- n little-endian uint16: argmax of each row
  probs BLOB NOT NULL);                 -- n x width little-endian float32, row-major
CREATE INDEX oof_chunks_by_job ON oof_chunks(job_id);

CREATE TABLE eval_prob_chunks(
  id INTEGER PRIMARY KEY,
  prediction_job_id INTEGER NOT NULL REFERENCES prediction_jobs(id),
  width INTEGER NOT NULL CHECK(width BETWEEN 0 AND 4096),
  n INTEGER NOT NULL CHECK(n BETWEEN 1 AND 512),
  ids BLOB NOT NULL,                    -- n little-endian int32: prediction_images.idx
  predicted BLOB NOT NULL,
  probs BLOB NOT NULL);
CREATE INDEX eval_prob_chunks_by_job ON eval_prob_chunks(prediction_job_id);

CREATE TABLE prob_seq(i INTEGER PRIMARY KEY);  -- 0..4095: a chunk's rows and a row's classes
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 4095)
INSERT INTO prob_seq SELECT i FROM s;

CREATE TABLE prob_pow2(e INTEGER PRIMARY KEY, v REAL NOT NULL);  -- 2^e, e = -149..105
WITH RECURSIVE p(e, v) AS (SELECT 0, 1.0 UNION ALL SELECT e - 1, v / 2 FROM p WHERE e > -149)
INSERT INTO prob_pow2 SELECT e, v FROM p;
WITH RECURSIVE p(e, v) AS (SELECT 1, 2.0 UNION ALL SELECT e + 1, v * 2 FROM p WHERE e < 105)
INSERT INTO prob_pow2 SELECT e, v FROM p;

-- h: hex() of two bytes, v: their little-endian value ('3412' -> 0x1234).
CREATE TABLE prob_hex16(h TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
WITH d(c, v) AS (VALUES('0', 0), ('1', 1), ('2', 2), ('3', 3), ('4', 4), ('5', 5), ('6', 6), ('7', 7),
                       ('8', 8), ('9', 9), ('A', 10), ('B', 11), ('C', 12), ('D', 13), ('E', 14), ('F', 15))
INSERT INTO prob_hex16 SELECT a.c || b.c || x.c || y.c, a.v * 16 + b.v + x.v * 4096 + y.v * 256
FROM d a, d b, d x, d y;
)sql";

// A view with the old table's columns over a chunk table: one row per stored row, probs as the
// JSON array it used to be (each float32 with 9 significant digits, enough to read it back exactly;
// -0 as 0). $VIEW, $OWNER, $ID, $EXTRA and $TABLE are filled in per view. A row's probabilities are
// read out of the chunk once, in `x`: a compound SELECT, which SQLite does not flatten into the
// query around it, so the blob is not read again for every class (2-3x faster with 18 classes);
// CROSS JOIN keeps x the outer loop.
constexpr char kChunkView[] = R"sql(
CREATE VIEW $VIEW AS
SELECT c.owner AS $OWNER,
       (SELECT lo.v + 65536 * hi.v FROM prob_hex16 lo, prob_hex16 hi
        WHERE lo.h = substr(c.id_hex, 1, 4) AND hi.h = substr(c.id_hex, 5, 4)) AS $ID,$EXTRA
       '[' || coalesce((SELECT group_concat(f, ',') FROM (
         SELECT CASE WHEN hi.v % 32768 = 0 AND lo.v = 0 THEN '0' ELSE printf('%.9g',
                  (1 - 2 * (hi.v >= 32768)) * p.v *
                  ((hi.v % 128) * 65536 + lo.v + 8388608 * ((hi.v / 128) % 256 > 0))) END AS f
         FROM (SELECT hex(substr(c.probs, 4 * c.row * c.width + 1, 4 * c.width)) AS row_hex
               UNION ALL SELECT NULL WHERE 0) x
         CROSS JOIN prob_seq k
         JOIN prob_hex16 lo ON lo.h = substr(x.row_hex, 8 * k.i + 1, 4)
         JOIN prob_hex16 hi ON hi.h = substr(x.row_hex, 8 * k.i + 5, 4)
         JOIN prob_pow2 p ON p.e = max((hi.v / 128) % 256, 1) - 150
         WHERE k.i < c.width ORDER BY k.i)), '') || ']' AS probs
FROM (SELECT c.$OWNER AS owner, c.width AS width, c.probs AS probs, r.i AS row,
             hex(substr(c.ids, 4 * r.i + 1, 4)) AS id_hex,
             hex(substr(c.predicted, 2 * r.i + 1, 2)) AS predicted_hex
      FROM $TABLE c JOIN prob_seq r ON r.i < c.n) c;
)sql";

std::string ViewsSql() {
  const std::string oof = absl::StrReplaceAll(
      kChunkView, {{"$VIEW", "predictions"}, {"$OWNER", "job_id"}, {"$ID", "sample_id"}, {"$TABLE", "oof_chunks"},
                   {"$EXTRA", "\n       (SELECT v FROM prob_hex16 WHERE h = c.predicted_hex) AS predicted,"}});
  const std::string eval = absl::StrReplaceAll(
      kChunkView, {{"$VIEW", "eval_probs"}, {"$OWNER", "prediction_job_id"}, {"$ID", "idx"},
                   {"$TABLE", "eval_prob_chunks"}, {"$EXTRA", ""}});
  return absl::StrCat("DROP TABLE predictions;\nDROP TABLE eval_probs;\n", oof, eval);
}

// One owner's old rows, gathered until the owner changes.
struct OwnerRows {
  int64_t owner = -1;
  std::vector<int64_t> ids, predicted;
  std::vector<float> probs;
};

absl::Status Flush(Transaction& txn, ChunkTable table, OwnerRows& rows, int32_t width) {
  for (size_t begin = 0; begin < rows.ids.size(); begin += kChunkRows) {
    const size_t n = std::min<size_t>(kChunkRows, rows.ids.size() - begin);
    const size_t w = static_cast<size_t>(width);
    FS_ASSIGN_OR_RETURN(EncodedChunk chunk,
                        EncodeChunk(absl::MakeConstSpan(rows.ids).subspan(begin, n),
                                    absl::MakeConstSpan(rows.predicted).subspan(begin, n),
                                    absl::MakeConstSpan(rows.probs).subspan(begin * w, n * w), width));
    FS_RETURN_IF_ERROR(InsertChunk(txn, table, rows.owner, chunk));
  }
  rows.ids.clear();
  rows.predicted.clear();
  rows.probs.clear();
  return absl::OkStatus();
}

// `sql` returns (owner, id, predicted or NULL, probs JSON, expected width) ordered by owner; errors
// name the row, e.g. "predictions row (job 3, sample 17)".
absl::Status Convert(Transaction& txn, ChunkTable table, const char* sql, const char* owner_name,
                     const char* id_name, const char* old_table) {
  FS_ASSIGN_OR_RETURN(Statement old_rows, txn.Prepare(sql));
  OwnerRows rows;
  int32_t width = 0;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, old_rows.Step());
    if (!row) break;
    const int64_t owner = old_rows.Int(0), id = old_rows.Int(1);
    const auto refuse = [&](absl::string_view why) {
      return absl::DataLossError(absl::StrCat("migration 11: ", old_table, " row (", owner_name, " ", owner, ", ",
                                              id_name, " ", id, "): ", why, "; nothing was converted"));
    };
    if (old_rows.IsNull(4)) return refuse("its job or dataset is missing");
    if (owner != rows.owner) {
      FS_RETURN_IF_ERROR(Flush(txn, table, rows, width));
      rows.owner = owner;
      width = static_cast<int32_t>(old_rows.Int(4));
    }
    absl::StatusOr<std::vector<float>> probs = ParseProbsJson(old_rows.Text(3));
    if (!probs.ok()) return refuse(probs.status().message());
    if (static_cast<int64_t>(probs->size()) != width) {
      return refuse(absl::StrCat(probs->size(), " probabilities, expected ", width));
    }
    const int64_t predicted = old_rows.IsNull(2) ? ArgMax(*probs) : old_rows.Int(2);
    if (id < 0 || id > std::numeric_limits<int32_t>::max() || predicted < 0 || predicted >= width) {
      return refuse(absl::StrCat("id or predicted class (", predicted, ") out of range"));
    }
    rows.ids.push_back(id);
    rows.predicted.push_back(predicted);
    rows.probs.insert(rows.probs.end(), probs->begin(), probs->end());
  }
  return Flush(txn, table, rows, width);
}

}  // namespace

const char* ProbChunkSchemaSql() { return kSchemaV11; }

absl::Status ConvertProbRowsToChunks(Transaction& txn) {
  FS_RETURN_IF_ERROR(Convert(
      txn, ChunkTable::kOof,
      "SELECT p.job_id, p.sample_id, p.predicted, p.probs, d.num_classes FROM predictions p "
      "LEFT JOIN jobs j ON j.id = p.job_id LEFT JOIN sweeps w ON w.id = j.sweep_id "
      "LEFT JOIN datasets d ON d.id = w.dataset_id ORDER BY p.job_id, p.sample_id",
      "job", "sample", "predictions"));
  // Eval rows carry no argmax (NULL): the chunk's predicted column is computed for them.
  FS_RETURN_IF_ERROR(Convert(
      txn, ChunkTable::kEval,
      "SELECT e.prediction_job_id, e.idx, NULL, e.probs, r.num_classes FROM eval_probs e "
      "LEFT JOIN prediction_jobs pj ON pj.id = e.prediction_job_id LEFT JOIN prediction_runs r ON r.id = pj.run_id "
      "ORDER BY e.prediction_job_id, e.idx",
      "prediction job", "row", "eval_probs"));
  return txn.ExecScript(ViewsSql(), "migration 11 (probability views)");
}

}  // namespace foldstack::coordinator
