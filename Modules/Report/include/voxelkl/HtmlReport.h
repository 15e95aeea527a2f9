// The HTML report: one self-contained page (images as PNG data URIs, plots as inline SVG,
// the NiiVue viewer inlined; no network request) of what a VoxelKL run or a cohort gave:
// mosaics of each map over the reference's mean image, histograms, the per-region chart, the
// per-volume spatial KL, the cohort's per-subject chart, and the text of the summary.
// VoxelKLReport makes it from files; --report of VoxelKLDivergence, VoxelKLMerge,
// SpatialKLDivergence and VoxelKLCohort from what they hold in memory.
#ifndef voxelkl_HtmlReport_h
#define voxelkl_HtmlReport_h

#include "voxelkl/RegionStatistics.h"

#include "itkImage.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace voxelkl
{

/** What a map shows, which decides its title, units and colour map. */
enum class MapKind
{
  KL,               ///< Gaussian KL (nats)
  KnnKL,            ///< k-nearest-neighbour KL (nats)
  HistogramKL,      ///< histogram (plug-in) KL (nats)
  MeanSquaredError, ///< mean over time of (generated - reference)^2
  Correlation,      ///< Pearson r over time
  MeanDifference,   ///< mean_generated - mean_reference
  VarianceLogRatio, ///< ln(var_generated / var_reference)
  Other,            ///< any other map (--map NAME=FILE)
};

/** The kind of a map name: kl, knn, histogram, mse, correlation, meanDifference,
 * varianceLogRatio; Other for any other name. */
MapKind
MapKindOf(const std::string & name);

/** Whether a kind is shown with the diverging colour map, symmetric about 0 (the signed maps:
 * correlation, mean difference, variance log ratio). */
bool
IsDiverging(MapKind kind);

/** One map of the report, on the anatomy's grid. */
struct ReportMap
{
  std::string                        name; ///< "kl", "mse", or the NAME of --map NAME=FILE
  MapKind                            kind{ MapKind::Other };
  std::string                        source; ///< the file, or what computed it
  itk::Image<float, 3>::ConstPointer image;
  /** The voxels the map is shown, summarised and histogrammed for (nonzero; with a finite
   * value). Empty: the voxels of the mask (all without one) with a finite value. */
  std::vector<unsigned char> valid;
  std::string                validMeaning; ///< what the valid voxels are, for the page
};

/** SpatialKLDivergence's per-volume values. */
struct SpatialSeries
{
  std::vector<double> kl;  ///< nats, NaN for a volume without a KL
  std::vector<double> mse; ///< empty, or one per volume
  std::string         source;
};

/** A table of text cells with a header (a cohort table). */
struct TextTable
{
  std::vector<std::string>              columns;
  std::vector<std::vector<std::string>> rows;
  std::string                           source;
};

struct ReportContent
{
  std::string tool;  ///< the executable writing the report
  std::string title; ///< empty: made from the inputs
  /** Settings of the report itself, shown with the inputs (e.g. ("--slices", "12")). */
  std::vector<std::pair<std::string, std::string>> settings;

  itk::Image<float, 3>::ConstPointer anatomy; ///< the reference's mean image; null: none
  std::string                        anatomySource;
  std::vector<ReportMap>             maps; ///< need an anatomy, on its grid
  std::vector<unsigned char>         mask; ///< flags on the anatomy's grid; empty: none
  std::string                        maskSource;

  std::optional<nlohmann::json> summary; ///< of VoxelKLDivergence or VoxelKLMerge
  std::string                   summarySource;
  std::optional<nlohmann::json> spatialSummary; ///< of SpatialKLDivergence
  std::string                   spatialSummarySource;
  std::optional<RegionTable>    regions;
  std::string                   regionsSource;
  std::optional<SpatialSeries>  spatial;
  std::optional<TextTable>      cohort;
  std::vector<std::string>      warnings; ///< the run's, besides those of the summary

  std::size_t axialSlices{ 12 };
};

/** Checks what the page needs and throws InputError naming the file and the problem: a map
 * without an anatomy or on another grid (both files and the field), a mask of another size,
 * a summary of another tool or without a field the page shows ("kl.json: no field
 * 'voxels.floored': not a complete VoxelKLDivergence summary"), a spatial series of
 * another length than the spatial summary's volumes, a cohort table without a subject
 * column. Called by MakeHtmlReport. */
void
CheckReportContent(const ReportContent & content);

/** The page (UTF-8 HTML). Fails as CheckReportContent does. */
std::string
MakeHtmlReport(const ReportContent & content);

/** Parses a tab-separated table with a header row (a VoxelKLCohort --table, or its text);
 * InputError naming source and line for a row with more cells than the header. */
TextTable
ParseTextTable(const std::string & text, const std::string & source);

/** Parses SpatialKLDivergence's --table: a header `volume<TAB>kl` (and an optional `mse`
 * column), then one row per volume from 0; "nan" for a volume without a KL. InputError naming
 * source and line otherwise. */
SpatialSeries
ParseSpatialTable(const std::string & text, const std::string & source);

} // namespace voxelkl

#endif
