// A one-line progress bar for long computations, or 3D Slicer's progress tags.
#ifndef voxelkl_ProgressBar_h
#define voxelkl_ProgressBar_h

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace voxelkl
{

/** Where progress goes. */
enum class ProgressOutput
{
  Silent,      ///< nothing: stderr is a file or a pipe, where a redrawn line is noise
  TerminalBar, ///< `label [=====     ]  42%`, redrawn in place on stderr
  /** Lines on stdout for 3D Slicer's progress bar, each written and flushed whole:
   *
   *     <filter-start>
   *     <filter-name>label</filter-name>
   *     </filter-start>
   *     <filter-progress>0</filter-progress>
   *     <filter-progress>0.42</filter-progress>      (one per whole percent gained)
   *     <filter-progress>1</filter-progress>         (Finish)
   *     <filter-end>
   *     <filter-name>label</filter-name>
   *     <filter-time>1.25</filter-time>              (seconds)
   *     </filter-end>
   *
   * the format of ITK's PluginFilterWatcher. Slicer shows the last complete progress tag
   * and strips them all from the output it logs. */
  SlicerTags
};

/**   voxelkl::ProgressBar bar("Computing KL");
 *    for (...) { ...; bar.Update(done / total); }
 *    bar.Finish();
 *
 * Update is cheap and thread-safe: it redraws only when the whole percentage grows (at
 * most 101 redraws or progress lines), and otherwise costs one atomic load. Progress is
 * assumed to grow. */
class ProgressBar
{
public:
  /** Output DefaultOutput(). */
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
  /** Shows 100% and ends the line (SlicerTags: progress 1 and the end tags); later calls do
   * nothing. */
  void
  Finish();

  ProgressOutput
  Output() const
  {
    return m_Output;
  }

  /** In this order:
   * - VOXELKL_PROGRESS=slicer|terminal|none in the environment chooses (a user's override);
   * - SlicerTags when 3D Slicer runs the process (IsRunBySlicer: Slicer's options on the
   *   command line or its empty ITK_AUTOLOAD_PATH, and stdout not a terminal);
   * - TerminalBar when stderr is a terminal;
   * - else Silent (e.g. both redirected to files, or piped into another program). */
  static ProgressOutput
  DefaultOutput();

private:
  void
  Draw(int percent, bool endLine);
  void
  DrawTerminal(int percent, bool endLine);
  void
  DrawSlicer(int percent, bool endLine);

  std::string                           m_Label;
  ProgressOutput                        m_Output;
  std::chrono::steady_clock::time_point m_Start;
  std::atomic<int>                      m_Percent{ -1 };     ///< the highest percentage claimed for drawing
  std::mutex                            m_DrawMutex;         ///< keeps concurrent redraws whole and in order
  int                                   m_Drawn{ -1 };       ///< the percentage on screen (under m_DrawMutex)
  bool                                  m_Finished{ false }; ///< the line is ended (under m_DrawMutex)
};

} // namespace voxelkl

#endif
