// What a connectivity job writes: the correlation matrices and the region time series as
// tables (TSV and their 3D Slicer schema), the profile correlation map and the JSON summary.
#ifndef voxelkl_ConnectivityOutputs_h
#define voxelkl_ConnectivityOutputs_h

#include "voxelkl/ConnectivityJob.h"

#include "itkImage.h"

#include <nlohmann/json.hpp>

#include <string>

namespace voxelkl
{

/** A correlation matrix over the used regions (ascending label): columns `label`, `name`,
 * then one per region headed by its name; one row per region, its Pearson r with every
 * region (1 on the diagonal). Numbers in the shortest form that reads back to the same
 * double (TableText.h). */
std::string
FormatCorrelationTable(const ConnectivityJob & job, const ConnectivityResult & result, bool reference);
std::string
FormatCorrelationSchema(const ConnectivityJob & job, const ConnectivityResult & result, bool reference);

/** The region time series of both series: columns `series` (reference, generated),
 * `volume` (from 0), `kept` (1, or 0 for a censored time point), then one per region with
 * a voxel in the mask (ascending label, headed by its name, also regions excluded as
 * constant or without finite values): the mean of its finite voxels, `n/a` where it has
 * none. */
std::string
FormatRegionTimeSeriesTable(const ConnectivityJob & job, const ConnectivityResult & result);
std::string
FormatRegionTimeSeriesSchema(const ConnectivityJob & job, const ConnectivityResult & result);

/** Each used region's profile correlation painted on its voxels (inside the mask); 0
 * outside the used regions and where the correlation is undefined. float32, on the
 * reference grid. */
itk::Image<float, 3>::Pointer
MakeProfileCorrelationMap(const ConnectivityJob & job, const ConnectivityResult & result);

/** How many of the voxels considered (the mask's, or the whole grid) the atlas labels, and
 * the other tools' warning when it is less than half (CoverageWarning). */
struct AtlasCoverage
{
  std::size_t considered{ 0 };
  std::size_t labelled{ 0 };
  std::string warning; ///< empty when the atlas labels at least half
};
AtlasCoverage
ConnectivityCoverage(const ConnectivityJob & job);

/** The summary document (no NaN: undefined values are null); its regions.coverage holds
 * ConnectivityCoverage (consideredVoxels, labelledVoxels, and warning when there is one,
 * as the region tables' summaries). */
nlohmann::json
MakeConnectivitySummary(const ConnectivityJob & job, const ConnectivityResult & result);

} // namespace voxelkl

#endif
