// The outputs of the executables that write moment maps (VoxelMoments, VoxelKLMerge of
// moments states): declared once, staged before any work, committed together.
#ifndef voxelkl_MomentMapOutputs_h
#define voxelkl_MomentMapOutputs_h

#include "voxelkl/CommandDescription.h"
#include "voxelkl/MomentsJob.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ParsedArguments.h"
#include "voxelkl/RegionOptions.h"
#include "voxelkl/StateFile.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace voxelkl
{

/** Adds the moment map options (--mean, --variance, --std, --skewness, --kurtosis,
 * --count) to a group of the description. */
void
AddMomentMapOptions(ParameterGroup & group);

/** The moment maps the command line asks for, staged. */
class MomentMapOutputs
{
public:
  /** Checks the file names and stages the maps and, with stateOption, the state file
   * (after the caller declared its inputs to outputs). */
  MomentMapOutputs(const ParsedArguments & arguments, OutputTransaction & outputs, bool stateOption);

  /** Whether any moment map (or, with regions, a region table) was asked for. */
  bool
  Empty() const
  {
    return m_Requested.empty();
  }
  bool
  SavesState() const
  {
    return m_State.has_value();
  }
  /** "--mean, --variance, ..." for messages. */
  static std::string
  OptionList();

  /** Writes the maps, the region table of every moment map and the state (with its
   * header), commits, and prints what went where. */
  void
  Write(const MomentMaps &                 maps,
        const RegionRequest &              regions,
        const std::vector<unsigned char> & mask,
        bool                               unorientedNifti,
        const StateHeader *                stateHeader,
        const MeasureState *               state,
        OutputTransaction &                outputs) const;

private:
  std::vector<std::pair<MomentMap, std::string>> m_Requested;
  std::vector<std::string>                       m_Staged;
  std::optional<std::string>                     m_State;
};

} // namespace voxelkl

#endif
