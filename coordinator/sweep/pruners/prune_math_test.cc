#include "coordinator/sweep/pruners/prune_math.h"

#include <cmath>

#include "coordinator/sweep/pruners/test_study.h"
#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using testing::DoneValue;
using testing::MakeStudy;
using testing::MakeTrial;

TEST(LinearPercentile, InterpolatesLikeNumpy) {
  // Sorted {1, 2, 4, 8}: position q/100 * 3. q=50 -> 1.5 -> 2 + (4-2)*0.5 = 3;
  // q=75 -> 2.25 -> 4 + (8-4)*0.25 = 5; q=0 -> 1; q=100 -> 8. (np.percentile gives the same.)
  EXPECT_DOUBLE_EQ(LinearPercentile({8, 1, 4, 2}, 50), 3.0);
  EXPECT_DOUBLE_EQ(LinearPercentile({8, 1, 4, 2}, 75), 5.0);
  EXPECT_DOUBLE_EQ(LinearPercentile({8, 1, 4, 2}, 0), 1.0);
  EXPECT_DOUBLE_EQ(LinearPercentile({8, 1, 4, 2}, 100), 8.0);
  EXPECT_DOUBLE_EQ(LinearPercentile({7}, 30), 7.0);
  EXPECT_TRUE(std::isnan(LinearPercentile({}, 50)));
}

TEST(OtherJobsOnFold, SkipsTheTrialItselfAndTrialsWithoutTheFold) {
  StudyView study =
      MakeStudy({MakeTrial(1, {DoneValue(0.1), DoneValue(0.2)}), MakeTrial(2, {DoneValue(0.3)}),
                 MakeTrial(3, {DoneValue(0.5), DoneValue(0.6)})});
  const auto jobs = OtherJobsOnFold(study, study.trials[0], 1);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]->value, 0.6);
}

}  // namespace
}  // namespace foldstack::sweep
