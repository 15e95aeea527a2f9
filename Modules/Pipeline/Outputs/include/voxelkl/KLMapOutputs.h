// The outputs of the executables that write KL maps (VoxelKLDivergence, VoxelKLMerge):
// declared once, staged before any work, written from one result, committed together.
#ifndef voxelkl_KLMapOutputs_h
#define voxelkl_KLMapOutputs_h

#include "voxelkl/CommandDescription.h"
#include "voxelkl/KLMapJob.h"
#include "voxelkl/KLSummary.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ParsedArguments.h"
#include "voxelkl/RegionOptions.h"
#include "voxelkl/RegionStatistics.h"
#include "voxelkl/StateFile.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace voxelkl
{

/** Adds the "Outputs" group (--output, --summary, --saveState, --report) and the "Fidelity
 * maps" group (--mse, --correlation, --meanDifference, --varianceLogRatio,
 * --undefinedCorrelation). stateHelp: what --saveState means for this executable;
 * outputRequired: whether every run writes a KL map. */
void
AddKLMapOutputOptions(CommandDescription & description, const std::string & stateHelp, bool outputRequired = true);

/** Adds the return values of a KL map (meanKL, medianKL, validVoxels, constantVoxels). */
void
AddKLMapReturnValues(CommandDescription & description);

/** Everything a KL run writes, as the command line names it. */
class KLMapOutputs
{
public:
  /** Checks the file names and stages every output (after the caller declared its inputs
   * to outputs, so that no output can replace one). */
  KLMapOutputs(const ParsedArguments & arguments, OutputTransaction & outputs);

  /** The fidelity maps the options ask for (and the reference's mean, the underlay of
   * --report). */
  FidelityMaps
  Fidelity() const
  {
    return m_Fidelity;
  }
  bool
  SavesState() const
  {
    return m_State.has_value();
  }
  bool
  WritesReport() const
  {
    return m_Report.has_value();
  }

  /** What the run computed, and how to describe it. */
  struct Result
  {
    const KLMaps *                                         maps{ nullptr };
    std::function<nlohmann::json(const KLMapStatistics &)> summarize; ///< the summary document
    const RegionRequest *                                  regions{ nullptr };
    const std::vector<unsigned char> *                     mask{ nullptr }; ///< flags, or empty
    bool                                                   unorientedNifti{ false };
    std::optional<StateHeader>                             stateHeader; ///< with SavesState()
    const MeasureState *                                   state{ nullptr };
    std::vector<std::string>                               warnings;
    std::string                                            headline; ///< "KL map (forward, ..., nats)"
    unsigned int                                           threads{ 1 };
    /** The underlay of --report when the maps' reference mean is not it (demeaned runs);
     * null: maps->referenceMean. */
    itk::Image<float, 3>::ConstPointer anatomy;
    std::string                        anatomySource;
  };

  /** Writes the maps (compressed in parallel while the statistics are computed), the state,
   * the region table, the summary, the HTML report and the return parameters; commits them
   * all; prints what was written on stdout and the warnings on stderr (prefixed with
   * program). */
  void
  Write(const Result & result, OutputTransaction & outputs, const std::string & program) const;

private:
  /** The page of --report: every map of the result over the reference's mean. */
  std::string
  MakeReport(const Result &                     result,
             const nlohmann::json &             summary,
             const std::vector<unsigned char> & valid,
             const std::optional<RegionTable> & regions,
             const std::string &                program) const;

  std::string                                      m_Output;
  std::string                                      m_StagedOutput;
  std::optional<std::string>                       m_Summary;
  std::optional<std::string>                       m_State;
  std::optional<std::string>                       m_ReturnParameters;
  std::optional<std::string>                       m_Report;
  std::vector<std::pair<std::string, std::string>> m_FidelityFiles; // (option, staged file)
  std::vector<std::string>                         m_FidelityNames; // as given
  FidelityMaps                                     m_Fidelity;
};

} // namespace voxelkl

#endif
