// The tables of a cohort: one row per (subject, model), the per-region long table, and the
// group statistics per (model, region). Tab-separated with a header row, numbers as every
// VoxelKL table writes them (TableText.h), `n/a` for a value that does not exist (BIDS),
// each with a 3D Slicer schema.
#ifndef voxelkl_CohortTables_h
#define voxelkl_CohortTables_h

#include "voxelkl/Cohort.h"
#include "voxelkl/TableText.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace voxelkl
{

/** What an empty cell holds: no value (no model, no paired maps, no spatial summary, ...). */
inline constexpr const char * NotAvailable = "n/a";

/** Columns of --table: subject, model, estimator, direction, validVoxels, meanKL,
 * medianKL, globalMSE, spatialKL, spatialDirection, spatialStandardize,
 * spatialTemperature. */
std::vector<TableColumn>
CohortTableColumns();

/** One row per cohort row, in its order. */
std::string
FormatCohortTable(const Cohort & cohort);

/** The maps of the cohort's region tables, each once, in the order they first appear
 * (kl first for VoxelKLDivergence's tables). */
std::vector<std::string>
CohortRegionMaps(const Cohort & cohort);

/** Whether any row has region statistics. */
bool
HasRegions(const Cohort & cohort);

/** Columns of --regionTable: subject, model, label, name, voxels, then `<map>_count` and
 * `<map>_median` for each of CohortRegionMaps. */
std::vector<TableColumn>
CohortRegionColumns(const Cohort & cohort);

/** One row per (cohort row, region), cohort rows in order, regions by label; n/a where a
 * row's table lacks a map or a region has no value of it. */
std::string
FormatCohortRegionTable(const Cohort & cohort);

/** One group statistic: over the subjects of a model, the mean and sample standard
 * deviation (n - 1) of one measure. */
struct GroupStatistic
{
  std::string                 model;
  std::optional<std::int32_t> label;   ///< none for a whole-brain measure
  std::string                 name;    ///< the region's name; "whole brain" for the summaries' measures
  std::string                 measure; ///< the column of --table (meanKL, ...) or --regionTable (kl_median, ...)
  std::size_t                 n{ 0 };  ///< subjects with a value
  std::optional<double>       mean;    ///< none when n = 0
  std::optional<double>       sd;      ///< none when n < 2
};

/** Per model (in order of first appearance): the whole-brain measures meanKL, medianKL,
 * globalMSE and spatialKL, then for each label of the model's region tables (ascending) and
 * each of CohortRegionMaps, `<map>_median`. A subject counts where it has the value. */
std::vector<GroupStatistic>
ComputeGroupStatistics(const Cohort & cohort);

/** Columns of --groupTable: model, label, name, measure, n, mean, sd. */
std::vector<TableColumn>
GroupTableColumns();

std::string
FormatGroupTable(const std::vector<GroupStatistic> & statistics);

} // namespace voxelkl

#endif
