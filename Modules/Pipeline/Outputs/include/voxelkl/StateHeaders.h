// What a saved state says about the run that made it: the options a merge must share, and
// the provenance of its samples.
#ifndef voxelkl_StateHeaders_h
#define voxelkl_StateHeaders_h

#include "voxelkl/KLMapJob.h"
#include "voxelkl/MomentsJob.h"
#include "voxelkl/StateFile.h"

#include <string>

namespace voxelkl
{

/** The header of a comparison's state: direction, variance floor, runs handling and (when
 * the reference is a NIfTI without orientation) the map's orientation codes as options;
 * both series, the mask and the time points as inputs. */
StateHeader
MakeComparisonStateHeader(const KLMapJob & job, const MeasureState & state);

/** The header of a moments state: the series and the mask as inputs. */
StateHeader
MakeMomentsStateHeader(const MomentsJob & job, const MeasureState & state);

/** The comparison options a state was saved with. */
struct ComparisonStateOptions
{
  KLDirection   direction{ KLDirection::Forward };
  VarianceFloor floor{};
  RunsHandling  runs{ RunsHandling::Concatenate };
  bool          unorientedNifti{ false }; ///< maps are written with NIfTI orientation codes 0
};

/** Reads the options of a comparison state; InputError naming file and the option when one
 * is missing or not understood. */
ComparisonStateOptions
ReadComparisonStateOptions(const std::string & file, const StateHeader & header);

} // namespace voxelkl

#endif
