#include "voxelkl/ProgressBar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace voxelkl
{

ProgressOutput
ProgressBar::DefaultOutput()
{
  return isatty(STDERR_FILENO) ? ProgressOutput::TerminalBar : ProgressOutput::Silent;
}

ProgressBar::ProgressBar(std::string label)
  : ProgressBar(std::move(label), DefaultOutput())
{
}

ProgressBar::ProgressBar(std::string label, ProgressOutput output)
  : m_Label(std::move(label))
  , m_Output(output)
{
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
  std::string line;
  if (percent != m_Drawn)
  {
    constexpr int Width = 40;
    const int     filled = percent * Width / 100;
    line = fmt::format("\r{} [{:=<{}}{:<{}}] {:3}%", m_Label, "", filled, "", Width - filled, percent);
    m_Drawn = percent;
  }
  if (endLine)
  {
    line += '\n';
    m_Finished = true;
  }
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

} // namespace voxelkl
