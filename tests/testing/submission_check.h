// The competition's submission format, checked as the competition would read it.
#ifndef FOLDSTACK_TESTS_TESTING_SUBMISSION_CHECK_H_
#define FOLDSTACK_TESTS_TESTING_SUBMISSION_CHECK_H_

#include <string>
#include <vector>

namespace foldstack::testing {

// Rows of a CSV file, header included, split on commas.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path);

// Checks `submission` against the synthetic dataset at `data_root` (eval/info.csv and the
// hidden eval_answers.csv): header "ImageID,ans", `images` rows in info.csv's order, every
// ImageID once, each ans a class in [0, 18). Sets `*right` to the rows whose ans matches
// the hidden answer. Fails the calling test on a mismatch (wrap in ASSERT_NO_FATAL_FAILURE).
void CheckSubmission(const std::string& data_root, const std::string& submission, int images, int* right);

}  // namespace foldstack::testing

#endif  // FOLDSTACK_TESTS_TESTING_SUBMISSION_CHECK_H_
