#include "voxelkl/ProgressBar.h"

#include "voxelkl/SlicerInvocation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>
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
      threads.emplace_back([&bar, t] {
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

// The fractions of `<filter-progress>` lines, checking that every line is one whole tag.
std::vector<double>
SlicerFractions(const std::string & text)
{
  std::vector<double> fractions;
  std::istringstream  lines(text);
  for (std::string line; std::getline(lines, line);)
  {
    const std::string open = "<filter-progress>";
    const std::string close = "</filter-progress>";
    if (line.rfind(open, 0) == 0)
    {
      EXPECT_EQ(line.substr(line.size() - close.size()), close) << line;
      fractions.push_back(std::stod(line.substr(open.size(), line.size() - open.size() - close.size())));
    }
  }
  return fractions;
}

// Sets an environment variable for one scope (unset when value is nullopt).
class ScopedEnvironment
{
public:
  ScopedEnvironment(const char * name, std::optional<std::string> value)
    : m_Name(name)
  {
    if (const char * old = std::getenv(name))
    {
      m_Old = old;
    }
    Set(value);
  }
  ~ScopedEnvironment() { Set(m_Old); }

private:
  void
  Set(const std::optional<std::string> & value)
  {
    if (value)
    {
      setenv(m_Name.c_str(), value->c_str(), 1);
    }
    else
    {
      unsetenv(m_Name.c_str());
    }
  }

  std::string                m_Name;
  std::optional<std::string> m_Old;
};

TEST(ProgressBar, SlicerTagsOnStdout)
{
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  {
    voxelkl::ProgressBar bar("VoxelKL <divergence>", voxelkl::ProgressOutput::SlicerTags);
    bar.Update(0.004);
    bar.Update(0.421);
    bar.Update(0.425);
    bar.Update(0.3);
    bar.Update(0.07 + 0.9);
    bar.Finish();
    bar.Finish();
    bar.Update(0.5);
  }
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(SlicerFractions(out), (std::vector<double>{ 0.0, 0.42, 0.97, 1.0 })) << out;
  // ITK's PluginFilterWatcher layout; no '<' inside a tag's text.
  EXPECT_EQ(out.rfind("<filter-start>\n<filter-name>VoxelKL  divergence </filter-name>\n</filter-start>\n"
                      "<filter-progress>0</filter-progress>\n<filter-progress>0.42</filter-progress>\n",
                      0),
            0u)
    << out;
  EXPECT_NE(out.find("<filter-progress>1</filter-progress>\n<filter-end>\n<filter-name>VoxelKL  divergence "
                     "</filter-name>\n<filter-time>"),
            std::string::npos)
    << out;
  EXPECT_EQ(out.substr(out.size() - 14), "</filter-end>\n");
}

TEST(ProgressBar, SlicerTagsFromManyThreadsAreWholeLinesInOrder)
{
  testing::internal::CaptureStdout();
  {
    voxelkl::ProgressBar     bar("Threads", voxelkl::ProgressOutput::SlicerTags);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
    {
      threads.emplace_back([&bar, t] {
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
  const auto fractions = SlicerFractions(testing::internal::GetCapturedStdout());
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_EQ(std::adjacent_find(fractions.begin(), fractions.end()), fractions.end()); // no repeats
  EXPECT_LE(fractions.size(), 101u);
  EXPECT_EQ(fractions.back(), 1.0);
}

TEST(ProgressBar, DefaultOutputFollowsSlicersSigns)
{
  // Under ctest neither stdout nor stderr is a terminal.
  const ScopedEnvironment noChoice("VOXELKL_PROGRESS", std::nullopt);
  {
    const ScopedEnvironment noSlicer("ITK_AUTOLOAD_PATH", std::nullopt);
    voxelkl::NoteSlicerArguments(false);
    EXPECT_EQ(voxelkl::ProgressBar::DefaultOutput(), voxelkl::ProgressOutput::Silent);
    // --returnparameterfile or --processinformationaddress on the command line.
    voxelkl::NoteSlicerArguments(true);
    EXPECT_EQ(voxelkl::ProgressBar::DefaultOutput(), voxelkl::ProgressOutput::SlicerTags);
    voxelkl::NoteSlicerArguments(false);
  }
  {
    // Slicer empties ITK_AUTOLOAD_PATH for every CLI it runs; its launcher sets a path.
    const ScopedEnvironment slicerRun("ITK_AUTOLOAD_PATH", "");
    EXPECT_EQ(voxelkl::ProgressBar::DefaultOutput(), voxelkl::ProgressOutput::SlicerTags);
    const ScopedEnvironment launcher("ITK_AUTOLOAD_PATH", "/opt/Slicer/lib/Slicer-5.6/ITKFactories");
    EXPECT_EQ(voxelkl::ProgressBar::DefaultOutput(), voxelkl::ProgressOutput::Silent);
  }
  {
    const ScopedEnvironment slicerRun("ITK_AUTOLOAD_PATH", "");
    const ScopedEnvironment choice("VOXELKL_PROGRESS", "none");
    EXPECT_EQ(voxelkl::ProgressBar::DefaultOutput(), voxelkl::ProgressOutput::Silent);
  }
  {
    const ScopedEnvironment choice("VOXELKL_PROGRESS", "terminal");
    EXPECT_EQ(voxelkl::ProgressBar::DefaultOutput(), voxelkl::ProgressOutput::TerminalBar);
  }
  {
    const ScopedEnvironment choice("VOXELKL_PROGRESS", "slicer");
    EXPECT_EQ(voxelkl::ProgressBar::DefaultOutput(), voxelkl::ProgressOutput::SlicerTags);
  }
}

} // namespace
