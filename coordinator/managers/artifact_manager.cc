#include "coordinator/managers/artifact_manager.h"

#include <iostream>
#include <memory>
#include <set>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/byte_size.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "coordinator/artifacts/async_appender.h"
#include "coordinator/store/ensemble_store.h"
#include "coordinator/store/study_store.h"
#include "coordinator/store/sweep_rows.h"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

JobTable TableOf(foldstack::v1::JobKind kind) {
  return kind == foldstack::v1::JOB_KIND_PREDICT ? JobTable::kPredict : JobTable::kTrain;
}

std::optional<ArtifactKind> FromWire(foldstack::v1::ArtifactKind kind) {
  switch (kind) {
    case foldstack::v1::ARTIFACT_KIND_BEST_CHECKPOINT:
      return ArtifactKind::kBestCheckpoint;
    case foldstack::v1::ARTIFACT_KIND_RESUME_CHECKPOINT:
      return ArtifactKind::kResumeCheckpoint;
    case foldstack::v1::ARTIFACT_KIND_LOG:
      return ArtifactKind::kLog;
    default:
      return std::nullopt;
  }
}

foldstack::v1::ArtifactKind ToWire(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::kBestCheckpoint:
      return foldstack::v1::ARTIFACT_KIND_BEST_CHECKPOINT;
    case ArtifactKind::kResumeCheckpoint:
      return foldstack::v1::ARTIFACT_KIND_RESUME_CHECKPOINT;
    case ArtifactKind::kLog:
      return foldstack::v1::ARTIFACT_KIND_LOG;
  }
  return foldstack::v1::ARTIFACT_KIND_UNSPECIFIED;
}

absl::Status CheckHeader(const foldstack::v1::ArtifactHeader& h, int64_t limit) {
  const std::string what = absl::StrCat("artifact ", h.file_name());
  if (h.file_name().empty() || h.file_name().find('/') != std::string::npos || h.file_name() == "." ||
      h.file_name() == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("artifact: file name \"", h.file_name(), "\": expected a base name such as best.safetensors"));
  }
  if (!FromWire(h.kind())) return absl::InvalidArgumentError(absl::StrCat(what, ": no artifact kind"));
  if (h.size() < 0) return absl::InvalidArgumentError(absl::StrCat(what, ": size ", h.size()));
  if (!h.sha256().empty() && !common::IsSha256Hex(h.sha256())) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": sha256 \"", h.sha256(), "\": expected 64 hex digits"));
  }
  if (h.kind() == foldstack::v1::ARTIFACT_KIND_RESUME_CHECKPOINT && h.epoch() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": a resume checkpoint needs its epoch (>= 1)"));
  }
  if (h.size() > limit) {
    return absl::ResourceExhaustedError(absl::StrCat(what, " is ", common::FormatBytes(h.size()),
                                                     "; the coordinator's limit is ", common::FormatBytes(limit),
                                                     " (--max_artifact_mb)"));
  }
  return absl::OkStatus();
}

// Checkpoints need the live lease; a log also the job's latest lease after it ended.
absl::StatusOr<Lease> CheckUploadLease(Transaction& txn, const foldstack::v1::ArtifactHeader& h, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Lease lease, LoadLease(txn, TableOf(h.job_kind()), h.job_id()));
  const bool log_after_end = h.kind() == foldstack::v1::ARTIFACT_KIND_LOG && lease.lease_id == h.lease_id() &&
                             (lease.state != sweep::JobState::kRunning || lease.lease_expires_ms < now_ms);
  if (!log_after_end) FS_RETURN_IF_ERROR(CheckLeaseLive(lease, h.lease_id(), now_ms));
  return lease;
}

// "train-job-7/best_checkpoint-<random 16 hex>-best.safetensors": unique per upload, so that
// concurrent uploads never share a file.
std::string StorageKey(const foldstack::v1::ArtifactHeader& h, ArtifactKind kind) {
  absl::BitGen gen;
  std::string name = h.file_name().substr(0, 80);
  for (char& c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  if (name.front() == '.') name.front() = '_';
  return absl::StrCat(h.job_kind() == foldstack::v1::JOB_KIND_PREDICT ? "predict" : "train", "-job-", h.job_id(),
                      "/", ArtifactKindName(kind), "-", absl::Hex(absl::Uniform<uint64_t>(gen), absl::kZeroPad16), "-",
                      name);
}

foldstack::v1::UploadArtifactResponse Stored(int64_t id, bool already) {
  foldstack::v1::UploadArtifactResponse response;
  response.set_artifact_id(id);
  response.set_already_stored(already);
  return response;
}

}  // namespace

foldstack::v1::ArtifactRow ToArtifactRow(const ArtifactRecord& r) {
  foldstack::v1::ArtifactRow row;
  row.set_artifact_id(r.id);
  row.set_job_kind(r.job_table == JobTable::kPredict ? foldstack::v1::JOB_KIND_PREDICT : foldstack::v1::JOB_KIND_TRAIN);
  row.set_job_id(r.job_id);
  row.set_sweep_id(r.sweep_id);
  row.set_trial_id(r.trial_id);
  row.set_fold(r.fold);
  row.set_kind(ToWire(r.kind));
  row.set_epoch(r.epoch);
  row.set_name(r.name);
  row.set_size(r.size);
  row.set_sha256(r.sha256);
  row.set_created_unix_ms(r.created_ms);
  return row;
}

ArtifactManager::ArtifactManager(SqliteDb& db, Clock& clock, artifacts::ArtifactStorage& storage,
                                 ArtifactManagerOptions options)
    : db_(db), clock_(clock), storage_(storage), options_(options) {}

absl::StatusOr<foldstack::v1::UploadArtifactResponse> ArtifactManager::Upload(
    const foldstack::v1::ArtifactHeader& header, const ChunkSource& next) {
  const int64_t limit = options_.max_artifact_bytes;
  FS_RETURN_IF_ERROR(CheckHeader(header, limit));
  const ArtifactKind kind = *FromWire(header.kind());
  const JobTable table = TableOf(header.job_kind());
  std::string sha256 = absl::AsciiStrToLower(header.sha256());
  const std::string what = absl::StrCat("artifact ", header.file_name());
  {
    FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
    FS_RETURN_IF_ERROR(CheckUploadLease(*txn, header, clock_.NowMs()).status());
    if (!sha256.empty()) {  // a retry is answered before any byte moves
      FS_ASSIGN_OR_RETURN(std::optional<ArtifactRecord> same, FindArtifact(*txn, table, header.job_id(), kind, sha256));
      if (same.has_value()) return Stored(same->id, true);
    }
  }

  const std::string key = StorageKey(header, kind);
  FS_ASSIGN_OR_RETURN(std::unique_ptr<artifacts::ArtifactWriter> writer, storage_.Put(key));
  int64_t received = 0;
  foldstack::v1::ArtifactChunk chunk;
  artifacts::AsyncAppender appender(*writer);
  for (bool first = true; next(&chunk); first = false) {
    if (!first && chunk.has_header() && !chunk.header().sha256().empty()) {  // the trailer
      const std::string trailer = absl::AsciiStrToLower(chunk.header().sha256());
      if (!sha256.empty() && trailer != sha256) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": the last chunk's sha256 ", trailer,
                                                       " is not the header's ", sha256, "; nothing stored"));
      }
      sha256 = trailer;
    }
    received += static_cast<int64_t>(chunk.data().size());
    if (received > limit) {
      return absl::ResourceExhaustedError(absl::StrCat(what, " is over ", common::FormatBytes(limit),
                                                       ", the coordinator's limit (--max_artifact_mb); nothing stored"));
    }
    if (received > header.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": more than the header's ", header.size(), " bytes; nothing stored"));
    }
    FS_RETURN_IF_ERROR(appender.Push(std::move(*chunk.mutable_data())));
  }
  FS_RETURN_IF_ERROR(appender.Finish());
  if (!common::IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": no sha256 (expected in the first chunk's header or the last's); nothing stored"));
  }
  FS_RETURN_IF_ERROR(writer->Commit(header.size(), sha256));

  // The file is complete under `key`; now the row, under the lease as it stands now.
  const int64_t now = clock_.NowMs();
  std::vector<ArtifactRecord> replaced;
  bool keep_file = false;
  absl::StatusOr<foldstack::v1::UploadArtifactResponse> response =
      [&]() -> absl::StatusOr<foldstack::v1::UploadArtifactResponse> {
    FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
    FS_RETURN_IF_ERROR(CheckUploadLease(*txn, header, now).status());
    FS_ASSIGN_OR_RETURN(std::optional<ArtifactRecord> same, FindArtifact(*txn, table, header.job_id(), kind, sha256));
    if (same.has_value()) return Stored(same->id, true);  // a retry whose sha256 came last
    FS_ASSIGN_OR_RETURN(JobPlace place, LoadJobPlace(*txn, table, header.job_id()));
    ArtifactRecord record;
    record.job_table = table;
    record.job_id = header.job_id();
    record.sweep_id = place.sweep_id;
    record.trial_id = place.trial_id;
    record.fold = place.fold;
    record.kind = kind;
    record.epoch = kind == ArtifactKind::kResumeCheckpoint ? header.epoch() : 0;
    record.name = header.file_name();
    record.size = header.size();
    record.sha256 = sha256;
    record.storage_key = key;
    record.created_ms = now;
    FS_ASSIGN_OR_RETURN(int64_t id, InsertArtifact(*txn, record));
    if (kind != ArtifactKind::kLog) {
      FS_ASSIGN_OR_RETURN(replaced, OtherArtifacts(*txn, table, header.job_id(), kind, id));
      FS_RETURN_IF_ERROR(DeleteArtifactRows(*txn, replaced));
    }
    FS_RETURN_IF_ERROR(txn->Commit());
    keep_file = true;
    return Stored(id, false);
  }();
  if (!keep_file) storage_.Delete(key).IgnoreError();  // no row names it
  if (!response.ok()) return response.status();
  DeleteFiles(replaced);
  return response;
}

void ArtifactManager::DeleteFiles(const std::vector<ArtifactRecord>& records) {
  for (const ArtifactRecord& r : records) {
    absl::Status deleted = storage_.Delete(r.storage_key);
    if (!deleted.ok()) std::cerr << "artifact " << r.id << ": " << deleted.message() << std::endl;
  }
}

absl::Status ArtifactManager::Download(const foldstack::v1::GetArtifactRequest& request, const ChunkSink& sink) {
  ArtifactRecord record;
  {
    FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
    FS_ASSIGN_OR_RETURN(record, LoadArtifact(*txn, request.artifact_id()));
  }
  FS_ASSIGN_OR_RETURN(std::unique_ptr<artifacts::ArtifactReader> reader, storage_.Open(record.storage_key));
  foldstack::v1::ArtifactChunk chunk;
  foldstack::v1::ArtifactHeader* header = chunk.mutable_header();
  header->set_artifact_id(record.id);
  header->set_job_id(record.job_id);
  header->set_job_kind(record.job_table == JobTable::kPredict ? foldstack::v1::JOB_KIND_PREDICT
                                                              : foldstack::v1::JOB_KIND_TRAIN);
  header->set_kind(ToWire(record.kind));
  header->set_file_name(record.name);
  header->set_size(record.size);
  header->set_sha256(record.sha256);
  header->set_epoch(record.epoch);
  header->set_trial_id(record.trial_id);
  header->set_fold(record.fold);
  int64_t sent = 0;
  bool first = true;
  while (true) {
    FS_RETURN_IF_ERROR(reader->Read(options_.chunk_bytes, chunk.mutable_data()));
    if (chunk.data().empty() && !first) break;
    sent += static_cast<int64_t>(chunk.data().size());
    if (!sink(chunk)) return absl::CancelledError("artifact download: the caller went away");
    if (first) chunk.clear_header();
    first = false;
    if (chunk.data().empty()) break;
  }
  if (sent != record.size) {
    return absl::DataLossError(absl::StrCat("artifact ", record.id, ": the stored file has ", sent,
                                            " bytes, its row says ", record.size));
  }
  return absl::OkStatus();
}

absl::StatusOr<foldstack::v1::ListArtifactsResponse> ArtifactManager::List(
    const foldstack::v1::ListArtifactsRequest& request) {
  if (request.trial_id() <= 0 && request.sweep().empty()) {
    return absl::InvalidArgumentError("artifacts list: give a sweep (id or name) or a trial id");
  }
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  std::vector<ArtifactRecord> records;
  if (request.trial_id() > 0) {
    FS_ASSIGN_OR_RETURN(records, ListTrialArtifacts(*txn, request.trial_id()));
  } else {
    FS_ASSIGN_OR_RETURN(int64_t sweep_id, ResolveSweep(*txn, request.sweep()));
    FS_ASSIGN_OR_RETURN(records, ListSweepArtifacts(*txn, sweep_id));
  }
  foldstack::v1::ListArtifactsResponse response;
  for (const ArtifactRecord& r : records) {
    *response.add_artifacts() = ToArtifactRow(r);
    response.set_total_bytes(response.total_bytes() + r.size);
  }
  return response;
}

absl::StatusOr<foldstack::v1::PruneArtifactsResponse> ArtifactManager::Prune(
    const foldstack::v1::PruneArtifactsRequest& request) {
  if (request.keep_top() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("artifacts prune: --keep-top ", request.keep_top(),
                                                   ": expected 0 or more trials"));
  }
  int64_t sweep_id = 0;
  {
    FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
    FS_ASSIGN_OR_RETURN(sweep_id, ResolveSweep(*txn, request.sweep()));
  }
  std::set<int64_t> keep;
  FS_ASSIGN_OR_RETURN(std::vector<StoredEnsemble> ensembles, ListEnsembles(db_, sweep_id));
  for (const StoredEnsemble& e : ensembles) {
    for (const EnsembleMember& m : e.record.members) keep.insert(m.trial_id);
  }
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, sweep_id));
  FS_ASSIGN_OR_RETURN(std::vector<LeaderRow> ranked,
                      LoadLeaderRows(*txn, sweep_id, control.objective.goal == sweep::Goal::kMinimize));
  for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(request.keep_top()); ++i) {
    keep.insert(ranked[i].trial_id);
  }
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> running, RunningTrialIds(*txn, sweep_id));
  keep.insert(running.begin(), running.end());
  FS_ASSIGN_OR_RETURN(std::vector<ArtifactRecord> artifacts, ListSweepArtifacts(*txn, sweep_id));
  std::vector<ArtifactRecord> doomed;
  foldstack::v1::PruneArtifactsResponse response;
  response.set_sweep_id(sweep_id);
  for (ArtifactRecord& r : artifacts) {
    if (r.kind == ArtifactKind::kLog || keep.count(r.trial_id) > 0) continue;
    *response.add_deleted() = ToArtifactRow(r);
    response.set_bytes_freed(response.bytes_freed() + r.size);
    doomed.push_back(std::move(r));
  }
  for (int64_t trial : keep) response.add_kept_trial_ids(trial);
  if (request.dry_run()) return response;
  FS_RETURN_IF_ERROR(DeleteArtifactRows(*txn, doomed));
  FS_RETURN_IF_ERROR(txn->Commit());
  txn.reset();
  DeleteFiles(doomed);
  return response;
}

absl::StatusOr<std::optional<ArtifactRecord>> ArtifactManager::Latest(int64_t job_id, ArtifactKind kind) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  return LatestArtifact(*txn, JobTable::kTrain, job_id, kind);
}

absl::StatusOr<std::optional<ArtifactRecord>> ArtifactManager::LatestResumeCheckpoint(int64_t job_id) {
  return Latest(job_id, ArtifactKind::kResumeCheckpoint);
}

absl::StatusOr<std::optional<ArtifactRecord>> ArtifactManager::BestCheckpoint(int64_t job_id) {
  return Latest(job_id, ArtifactKind::kBestCheckpoint);
}

}  // namespace foldstack::coordinator
