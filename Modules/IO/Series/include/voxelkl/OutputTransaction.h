// All-or-nothing output files: written under temporary names beside their targets and
// renamed only when every one of them is complete.
#ifndef voxelkl_OutputTransaction_h
#define voxelkl_OutputTransaction_h

#include <string>
#include <utility>
#include <vector>

namespace voxelkl
{

/** Stages output files so that a failure never leaves a partial or corrupt one.
 *
 *   OutputTransaction outputs;
 *   const std::string temporary = outputs.Stage("out/kl.nii.gz"); // out/.kl.voxelkl-1234.nii.gz
 *   write(temporary) ...;
 *   outputs.Commit(); // renames every staged file onto its target
 *
 * A temporary keeps its target's extension (ITK chooses the writer from it) and lives in
 * the target's directory, so the final rename is atomic. Files staged but not committed
 * are removed by the destructor, also when an exception unwinds. */
class OutputTransaction
{
public:
  OutputTransaction() = default;
  OutputTransaction(const OutputTransaction &) = delete;
  OutputTransaction &
  operator=(const OutputTransaction &) = delete;
  ~OutputTransaction();

  /** Returns the temporary path to write target to. Throws InputError when the target's
   * directory does not exist or the target is a directory, and UsageError when the same
   * target is staged twice. */
  std::string
  Stage(const std::string & target);

  /** Renames every staged file onto its target. */
  void
  Commit();

private:
  std::vector<std::pair<std::string, std::string>> m_Staged; // (temporary, target)
  bool                                             m_Committed{ false };
};

/** The extension of an image file name, ".nii.gz" counted as one. */
std::string
ImageExtension(const std::string & path);

} // namespace voxelkl

#endif
