#include "voxelkl/ProgressBar.h"

#include "voxelkl/SlicerInvocation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <unistd.h>

namespace voxelkl
{

namespace
{

// Text inside a Slicer tag: Slicer strips `<tag>[^<]*</tag>` and keeps 1023 characters.
std::string
TagText(std::string_view text)
{
  std::string clean;
  for (const char c : text.substr(0, 1000))
  {
    clean += c == '<' || c == '>' || c == '\n' || c == '\r' ? ' ' : c;
  }
  return clean;
}

void
WriteToStdout(const std::string & text)
{
  // One write of whole lines, then flushed: Slicer reads stdout as it comes.
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

} // namespace

ProgressOutput
ProgressBar::DefaultOutput()
{
  if (const char * choice = std::getenv("VOXELKL_PROGRESS"))
  {
    const std::string_view value(choice);
    if (value == "slicer")
    {
      return ProgressOutput::SlicerTags;
    }
    if (value == "terminal")
    {
      return ProgressOutput::TerminalBar;
    }
    if (value == "none")
    {
      return ProgressOutput::Silent;
    }
  }
  if (IsRunBySlicer())
  {
    return ProgressOutput::SlicerTags;
  }
  return isatty(STDERR_FILENO) ? ProgressOutput::TerminalBar : ProgressOutput::Silent;
}

ProgressBar::ProgressBar(std::string label)
  : ProgressBar(std::move(label), DefaultOutput())
{
}

ProgressBar::ProgressBar(std::string label, ProgressOutput output)
  : m_Label(std::move(label))
  , m_Output(output)
  , m_Start(std::chrono::steady_clock::now())
{
  if (m_Output == ProgressOutput::SlicerTags)
  {
    // Progress 0 at once: Slicer shows a busy bar until the first real fraction.
    WriteToStdout(fmt::format("<filter-start>\n<filter-name>{}</filter-name>\n</filter-start>\n"
                              "<filter-progress>0</filter-progress>\n",
                              TagText(m_Label)));
    m_Percent.store(0);
    m_Drawn = 0;
  }
}

ProgressBar::~ProgressBar()
{
  const std::lock_guard<std::mutex> lock(m_DrawMutex);
  if (m_Output == ProgressOutput::TerminalBar && !m_Finished && m_Drawn >= 0)
  {
    std::fputs("\n", stderr);
  }
}

void
ProgressBar::Update(double fraction)
{
  if (m_Output == ProgressOutput::Silent)
  {
    return;
  }
  const int percent = fraction >= 1.0 ? 100 : fraction > 0.0 ? static_cast<int>(fraction * 100.0) : 0;
  int       claimed = m_Percent.load(std::memory_order_relaxed);
  // The common case: nothing new to show, one relaxed load.
  do
  {
    if (percent <= claimed)
    {
      return;
    }
  } while (!m_Percent.compare_exchange_weak(claimed, percent, std::memory_order_relaxed));
  Draw(percent, false);
}

void
ProgressBar::Finish()
{
  if (m_Output == ProgressOutput::Silent)
  {
    return;
  }
  m_Percent.store(100);
  Draw(100, true);
}

void
ProgressBar::Draw(int percent, bool endLine)
{
  const std::lock_guard<std::mutex> lock(m_DrawMutex);
  if (m_Finished)
  {
    return;
  }
  // Another thread may have claimed a higher percentage meanwhile: show the latest, so
  // that the bar never moves backwards.
  percent = std::max(percent, m_Percent.load());
  if (m_Output == ProgressOutput::SlicerTags)
  {
    DrawSlicer(percent, endLine);
  }
  else
  {
    DrawTerminal(percent, endLine);
  }
  m_Drawn = percent;
  m_Finished = endLine;
}

void
ProgressBar::DrawTerminal(int percent, bool endLine)
{
  std::string line;
  if (percent != m_Drawn)
  {
    constexpr int Width = 40;
    const int     filled = percent * Width / 100;
    line = fmt::format("\r{} [{:=<{}}{:<{}}] {:3}%", m_Label, "", filled, "", Width - filled, percent);
  }
  if (endLine)
  {
    line += '\n';
  }
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void
ProgressBar::DrawSlicer(int percent, bool endLine)
{
  std::string lines;
  if (percent != m_Drawn)
  {
    // A fraction, as Slicer's atof reads it: 0.07, 0.42, 1.
    lines = fmt::format("<filter-progress>{}</filter-progress>\n", percent / 100.0);
  }
  if (endLine)
  {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - m_Start;
    lines += fmt::format("<filter-end>\n<filter-name>{}</filter-name>\n<filter-time>{:.3f}</filter-time>\n"
                         "</filter-end>\n",
                         TagText(m_Label),
                         elapsed.count());
  }
  if (!lines.empty())
  {
    WriteToStdout(lines);
  }
}

} // namespace voxelkl
