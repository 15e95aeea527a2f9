// A one-line progress bar for long computations.
#ifndef voxelkl_ProgressBar_h
#define voxelkl_ProgressBar_h

#include <atomic>
#include <mutex>
#include <string>

namespace voxelkl
{

/** Where progress goes. A later change adds Slicer's `<filter-progress>` lines on stdout
 * here, so that callers keep the same ProgressBar calls. */
enum class ProgressOutput
{
  Silent,     ///< nothing: stderr is a file or a pipe, where a redrawn line is noise
  TerminalBar ///< `label [=====     ]  42%`, redrawn in place on stderr
};

/**   voxelkl::ProgressBar bar("Computing KL");
 *    for (...) { ...; bar.Update(done / total); }
 *    bar.Finish();
 *
 * Update is cheap and thread-safe: it redraws only when the whole percentage grows (at
 * most 101 redraws), and otherwise costs one atomic load. Progress is assumed to grow. */
class ProgressBar
{
public:
  /** A TerminalBar when stderr is a terminal, else Silent. */
  explicit ProgressBar(std::string label);
  ProgressBar(std::string label, ProgressOutput output);
  /** Ends a drawn but unfinished line, so that an error message starts on its own line. */
  ~ProgressBar();
  ProgressBar(const ProgressBar &) = delete;
  ProgressBar &
  operator=(const ProgressBar &) = delete;

  /** fraction in [0, 1]; clamped. */
  void
  Update(double fraction);
  /** Shows 100% and ends the line; later calls do nothing. */
  void
  Finish();

  static ProgressOutput
  DefaultOutput();

private:
  void
  Draw(int percent, bool endLine);

  std::string      m_Label;
  ProgressOutput   m_Output;
  std::atomic<int> m_Percent{ -1 };     ///< the highest percentage claimed for drawing
  std::mutex       m_DrawMutex;         ///< keeps concurrent redraws whole and in order
  int              m_Drawn{ -1 };       ///< the percentage on screen (under m_DrawMutex)
  bool             m_Finished{ false }; ///< the line is ended (under m_DrawMutex)
};

} // namespace voxelkl

#endif
