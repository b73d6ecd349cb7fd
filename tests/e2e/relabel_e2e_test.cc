// The label review loop on real parts: a generated dataset with planted label errors, a real
// coordinator with its SQLite file, and the CLI. No worker: reviewing and exporting need none, and
// the relabel candidates (which `relabel find` computes from a finished sweep) are written into the
// results database directly, as that command would.
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

constexpr char kSweep[] = R"(name: review
method: grid
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
dataset: {kind: mask, root: data}
folds: {k: 3, seed: 4, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  epochs: {value: 1}
)";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Execute(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "") << sql;
  sqlite3_free(error);
  sqlite3_close(db);
}

int AgeBin(int age) { return age < 30 ? 0 : age < 60 ? 1 : 2; }

struct Noise {
  std::string person, kind, given, truth;
};

class RelabelEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("relabel");
    CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir_ + "/data", "--people",
                                      "24", "--seed", "11", "--label_noise", "0.5", "--width", "32", "--height", "32"});
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
    for (absl::string_view line : absl::StrSplit(ReadText(dir_ + "/data/label_noise.csv"), '\n', absl::SkipEmpty())) {
      std::vector<std::string> cols = absl::StrSplit(line, ',');
      if (cols.size() == 4 && cols[0] != "person") noise_.push_back({cols[0], cols[1], cols[2], cols[3]});
    }
    cluster_ = std::make_unique<Cluster>(dir_);
    ASSERT_TRUE(cluster_->StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  }

  int64_t Submit(const std::string& name, const std::string& extra) {
    std::ofstream(dir_ + "/" + name) << kSweep << extra;
    CommandResult submitted = cluster_->Cli({"sweep", "submit", dir_ + "/" + name});
    int64_t id = 0;
    EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(submitted.out), &id)) << submitted.out;
    return id;
  }

  std::string dir_;
  std::vector<Noise> noise_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(RelabelEndToEnd, AcceptRejectApplyExportAndASweepOnTheCorrectedLabels) {
  const Noise* person_error = nullptr;
  const Noise* swap = nullptr;
  for (const Noise& n : noise_) {
    if (n.kind == "mask_swap" && swap == nullptr) swap = &n;
    if (n.kind != "mask_swap" && person_error == nullptr) person_error = &n;
  }
  ASSERT_TRUE(person_error != nullptr && swap != nullptr) << "synth planted too few kinds of error";
  const std::string db = cluster_->db_path();
  const std::string root = dir_ + "/data";
  const int64_t first = Submit("first.yaml", "");

  // What `relabel find` would store: the person's gender/age and the swapped pair.
  std::vector<std::string> folder = absl::StrSplit(person_error->person, '_');  // id_gender_race_age
  int gender = folder[1] == "female", age = std::stoi(folder[3]);
  const int given = 3 * gender + AgeBin(age);
  if (person_error->kind == "gender") gender = person_error->truth == "female";
  if (person_error->kind == "age") age = std::stoi(person_error->truth);
  const int truth = 3 * gender + AgeBin(age);
  const std::string pair = absl::StrCat("train/images/", swap->person, "/");
  Execute(db, absl::StrCat(
      "INSERT INTO relabel_candidates(sweep_id, method, sample_id, person, kind, given_label, suggested_label, "
      "score, evidence, created_ms) VALUES(", first, ", 'fold_vote', NULL, '", person_error->person, "', '",
      person_error->kind, "', ", given, ", ", truth, ", 0.9, '{}', 0);"
      "INSERT INTO relabel_candidates(sweep_id, method, sample_id, person, kind, given_label, suggested_label, "
      "score, evidence, created_ms) SELECT ", first, ", 'fold_vote', s.id, s.grp, 'mask', s.label, "
      "CASE WHEN s.sample_key LIKE '%normal.jpg' THEN s.label - 6 ELSE s.label + 6 END, 0.8, '{}', 0 "
      "FROM samples s WHERE s.sample_key IN ('", pair, "incorrect_mask.jpg', '", pair, "normal.jpg');"));
  auto listed = cluster_->CliJson({"relabel", "list", std::to_string(first)});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ((*listed)["candidates"].size(), 3u) << listed->dump();
  for (const auto& c : (*listed)["candidates"]) EXPECT_EQ(c["review_status"], "pending");

  // One decision, its label taken from the candidate.
  CommandResult accepted = cluster_->Cli({"relabel", "accept", person_error->person, "--note", "checked by eye"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_NE(accepted.out.find("(7 samples)"), std::string::npos) << accepted.out;
  EXPECT_NE(accepted.out.find("label version 1 (new)"), std::string::npos) << accepted.out;

  // A bulk file with one bad row stores nothing and says where.
  const std::string bad_csv = dir_ + "/bad.csv";
  std::ofstream(bad_csv) << "target,decision,label,note\n"
                         << "images/" << swap->person << "/incorrect_mask.jpg,accept,,swapped\n"
                         << "images/" << swap->person << "/normal.jpg,accept,,swapped\n"
                         << "nobody,reject,0,\n";
  CommandResult refused = cluster_->Cli({"relabel", "apply", bad_csv, "--dataset", root});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, absl::StrCat("foldstack: ", bad_csv, ": row 4: column target: no sample or person \"nobody\" ",
                                      "in dataset 1 (", root, ")\n"));
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM label_versions"), 1);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM label_overrides"), 7);

  const std::string good_csv = dir_ + "/good.csv";
  std::ofstream(good_csv) << "target,decision,label,note\n"
                          << "images/" << swap->person << "/incorrect_mask.jpg,accept,,swapped\n"
                          << "images/" << swap->person << "/normal.jpg,accept,,swapped\n";
  CommandResult applied = cluster_->Cli({"relabel", "apply", good_csv});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_NE(applied.out.find("label version 2 (new)"), std::string::npos) << applied.out;

  // A rejection is recorded but makes no version.
  const std::string clean = Query(db, absl::StrCat("SELECT grp FROM samples WHERE grp NOT IN ('", person_error->person,
                                                   "', '", swap->person, "') LIMIT 1"))[0][0];
  CommandResult rejected = cluster_->Cli({"relabel", "reject", clean, "--label", "female/>=60", "--note", "no"});
  ASSERT_EQ(rejected.exit_code, 0) << rejected.err;
  EXPECT_NE(rejected.out.find("label version 2 (unchanged"), std::string::npos) << rejected.out;
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM v_label_overrides WHERE status = 'rejected' AND note = 'no'"), 7);

  listed = cluster_->CliJson({"relabel", "list", std::to_string(first)});
  ASSERT_TRUE(listed.ok()) << listed.status();
  for (const auto& c : (*listed)["candidates"]) EXPECT_EQ(c["review_status"], "accepted") << c.dump();

  // The corrected train.csv and the moves; nothing moved on disk.
  CommandResult exported = cluster_->Cli({"relabel", "export", "--dataset", "1", "--out", dir_ + "/train.csv"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string corrected = ReadText(dir_ + "/train.csv");
  const std::string original = ReadText(root + "/train/train.csv");
  EXPECT_NE(corrected, original);
  EXPECT_EQ(std::count(corrected.begin(), corrected.end(), '\n'), std::count(original.begin(), original.end(), '\n'));
  // An age moved to another bin becomes that bin's age nearest the given one.
  const int given_age = std::stoi(folder[3]);
  const int new_age = AgeBin(age) == AgeBin(given_age) ? given_age
                      : AgeBin(age) == 0               ? 29
                      : AgeBin(age) == 2               ? 60
                                                       : (given_age < 30 ? 30 : 59);
  const std::string gender_name = gender == 1 ? "female" : "male";
  EXPECT_NE(corrected.find(absl::StrCat("\n", folder[0], ",", gender_name, ",Asian,", new_age, ",", folder[0], "_",
                                        gender_name, "_Asian_", new_age, "\n")),
            std::string::npos)
      << corrected;
  const std::string moves = ReadText(dir_ + "/train_moves.csv");
  EXPECT_EQ(std::count(moves.begin(), moves.end(), '\n'), 1 + 7 + 2) << moves;
  EXPECT_NE(moves.find(absl::StrCat(pair, "incorrect_mask.jpg,", pair, "normal.jpg\n")), std::string::npos) << moves;
  EXPECT_TRUE(std::ifstream(root + "/" + pair + "incorrect_mask.jpg").good());
  CommandResult exported_v0 = cluster_->Cli({"relabel", "export", "--dataset", root, "--version", "0", "--out",
                                             dir_ + "/v0.csv"});
  ASSERT_EQ(exported_v0.exit_code, 0) << exported_v0.err;
  EXPECT_EQ(ReadText(dir_ + "/v0.csv"), original);  // version 0 is the original labels
  EXPECT_EQ(ReadText(dir_ + "/v0_moves.csv"), "from,to\n");

  // A later sweep trains on version 2 with the first sweep's persons per fold.
  const int64_t second = Submit("second.yaml", "");
  auto shown = cluster_->CliJson({"sweep", "show", std::to_string(second)});
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ((*shown)["summary"]["label_version"], 2) << shown->dump();
  const auto before = SweepSplit(cluster_->db_path(), first), after = SweepSplit(cluster_->db_path(), second);
  ASSERT_EQ(before.size(), after.size());
  int changed = 0;
  for (const auto& [key, fold_label] : before) {
    EXPECT_EQ(after.at(key).first, fold_label.first) << key;
    changed += after.at(key).second != fold_label.second;
  }
  EXPECT_EQ(changed, 9);
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT label_version FROM v_sweeps WHERE sweep_id = ", second)), 2);

  const int64_t on_original = Submit("original.yaml", "labels: original\n");
  EXPECT_EQ(SweepSplit(cluster_->db_path(), on_original), before);
  std::ofstream(dir_ + "/future.yaml") << kSweep << "labels: 7\n";
  CommandResult future = cluster_->Cli({"sweep", "submit", dir_ + "/future.yaml"});
  EXPECT_EQ(future.err, absl::StrCat("foldstack: ", dir_, "/future.yaml: labels: dataset ", root,
                                     " has no label version 7 (versions 0..2; see foldstack relabel accept)\n"));
}

}  // namespace
}  // namespace foldstack::testing
