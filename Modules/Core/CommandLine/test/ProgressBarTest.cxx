#include "voxelkl/ProgressBar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace
{

// The percentages drawn, in order, from the bar's `\r... NN%` redraws.
std::vector<int>
DrawnPercentages(const std::string & text)
{
  std::vector<int> percentages;
  for (std::size_t at = text.find('%'); at != std::string::npos; at = text.find('%', at + 1))
  {
    percentages.push_back(std::stoi(text.substr(at - 3, 3)));
  }
  return percentages;
}

TEST(ProgressBar, SilentWhenStderrIsNotATerminal)
{
  testing::internal::CaptureStderr(); // stderr is now a file
  {
    voxelkl::ProgressBar bar("Computing KL");
    bar.Update(0.5);
    bar.Finish();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(ProgressBar, RedrawsOnlyWhenThePercentageGrows)
{
  testing::internal::CaptureStderr();
  {
    voxelkl::ProgressBar bar("Computing KL", voxelkl::ProgressOutput::TerminalBar);
    bar.Update(0.421);
    bar.Update(0.425);
    bar.Update(0.3); // never backwards
    bar.Update(0.43);
    bar.Finish();
    bar.Finish();
    bar.Update(0.9);
  }
  const std::string text = testing::internal::GetCapturedStderr();
  EXPECT_EQ(DrawnPercentages(text), (std::vector<int>{ 42, 43, 100 }));
  EXPECT_EQ(text.rfind("\rComputing KL [", 0), 0u) << text;
  EXPECT_EQ(text.substr(text.size() - 6), " 100%\n");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

TEST(ProgressBar, FinishAfterCompleteDoesNotRedraw)
{
  testing::internal::CaptureStderr();
  {
    voxelkl::ProgressBar bar("Writing", voxelkl::ProgressOutput::TerminalBar);
    bar.Update(2.0); // clamped
    bar.Finish();
  }
  const std::string text = testing::internal::GetCapturedStderr();
  EXPECT_EQ(DrawnPercentages(text), std::vector<int>{ 100 });
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressBar, EndsTheLineWhenAbandoned)
{
  testing::internal::CaptureStderr();
  {
    voxelkl::ProgressBar bar("Reading", voxelkl::ProgressOutput::TerminalBar);
    bar.Update(0.5);
  }
  const std::string text = testing::internal::GetCapturedStderr();
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(DrawnPercentages(text), std::vector<int>{ 50 });
}

TEST(ProgressBar, ConcurrentUpdatesNeverGoBackwards)
{
  testing::internal::CaptureStderr();
  {
    voxelkl::ProgressBar     bar("Threads", voxelkl::ProgressOutput::TerminalBar);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
    {
      threads.emplace_back(
        [&bar, t]
        {
          for (int i = 0; i < 10000; ++i)
          {
            bar.Update((i + t) / 10000.0);
          }
        });
    }
    for (auto & thread : threads)
    {
      thread.join();
    }
    bar.Finish();
  }
  const auto drawn = DrawnPercentages(testing::internal::GetCapturedStderr());
  EXPECT_TRUE(std::is_sorted(drawn.begin(), drawn.end()));
  EXPECT_LE(drawn.size(), 102u);
  EXPECT_EQ(drawn.back(), 100);
}

} // namespace
