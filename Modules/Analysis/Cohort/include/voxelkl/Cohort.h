// A cohort of comparisons: for each subject (and model), what VoxelKLDivergence's summary,
// its region table and SpatialKLDivergence's summary say, read from the files an index
// names or from BIDS-named summaries, and checked as a whole.
#ifndef voxelkl_Cohort_h
#define voxelkl_Cohort_h

#include "voxelkl/RegionStatistics.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace voxelkl
{

/** One (subject, model) of a cohort and the files it comes from. */
struct CohortEntry
{
  std::string subject;
  std::string model;          ///< empty: no model named (the cohort has one model)
  std::string summary;        ///< VoxelKLDivergence --summary
  std::string regionTable;    ///< VoxelKLDivergence --regionTable; empty: none
  std::string spatialSummary; ///< SpatialKLDivergence --summary; empty: none
  std::string origin;         ///< where it was declared, for messages: "index.tsv:3", or the summary's path
};

/** Parses a cohort index: tab-separated, a header row naming the columns (any order):
 * `subject` and `summary` required, `model`, `regionTable` and `spatialSummary` optional;
 * then one row per (subject, model). Empty cells of the optional columns, and missing ones
 * at the end of a row, mean none; a model cell `n/a` means none too (BIDS). Relative paths
 * are relative to the index's directory. Blank lines are skipped, a UTF-8 byte order mark
 * and CRLF line ends are accepted. InputError naming path (and line) for an unknown or
 * repeated column, a missing required one, a row with more cells than the header, an empty
 * subject or summary, a subject `n/a`, a (subject, model) given twice, and an index without
 * rows. No file it names is opened. */
std::vector<CohortEntry>
ParseCohortIndex(const std::string & text, const std::string & path);

/** Reads and parses the index file. */
std::vector<CohortEntry>
ReadCohortIndex(const std::string & path);

/** The key-value entities of a BIDS file name ("sub-01_model-x_kl.json" -> (sub, 01),
 * (model, x)): the parts of the name before its first '.', split at '_', that hold a '-'.
 * InputError naming path when an entity appears twice. */
std::vector<std::pair<std::string, std::string>>
BidsEntities(const std::string & path);

/** What a VoxelKLDivergence summary says about one comparison. */
struct KLRunSummary
{
  std::string path;
  std::string estimator; ///< options.estimator: gaussian, knn, histogram
  std::string direction; ///< options.direction: forward, reverse, symmetric
  /** The options that change the numbers (estimator, direction, runs, varianceFloor, and
   * the estimator's own), as (field, JSON text): rows of one model must agree on all. */
  std::vector<std::pair<std::string, std::string>> settings;
  std::uint64_t                                    validVoxels{ 0 }; ///< voxels.valid
  std::optional<double>                            meanKL;           ///< kl.mean; none without valid voxels
  std::optional<double>                            medianKL;         ///< kl.median; none without valid voxels
  std::optional<double>                            globalMSE;        ///< none without paired maps (--mse)
  std::optional<RegionTable>                       regions;          ///< the summary's "regions" (--regionTable)
};

/** What a SpatialKLDivergence summary says. */
struct SpatialKLRunSummary
{
  std::string                                      path;
  std::string                                      direction;   ///< options.direction
  std::string                                      standardize; ///< options.standardize
  double                                           temperature{ 1.0 };
  std::vector<std::pair<std::string, std::string>> settings;  ///< direction, standardize, temperature
  std::optional<double>                            spatialKL; ///< spatialKL.mean; none without a volume with a KL
};

/** The document of a JSON file; InputError naming path when it cannot be read or is not
 * JSON (the parser's reason, one line). */
nlohmann::json
ReadJsonDocument(const std::string & path);

/** The tool that wrote a VoxelKL summary ("VoxelKLDivergence", "SpatialKLDivergence");
 * InputError naming path for a document that is not a VoxelKL summary. */
std::string
SummaryTool(const nlohmann::json & document, const std::string & path);

/** The fields of a VoxelKLDivergence summary. InputError naming path and the field for
 * another tool's summary, a missing field and a field of the wrong type. */
KLRunSummary
ParseKLSummary(const nlohmann::json & document, const std::string & path);

/** The fields of a SpatialKLDivergence summary, with the same errors. */
SpatialKLRunSummary
ParseSpatialKLSummary(const nlohmann::json & document, const std::string & path);

/** A row of the cohort: one (subject, model). */
struct CohortRow
{
  std::string                        subject;
  std::string                        model; ///< empty: no model named
  std::string                        origin;
  KLRunSummary                       kl;
  std::optional<SpatialKLRunSummary> spatial;
  /** From the region table file when one is given, else from the summary's "regions". */
  std::optional<RegionTable> regions;
  std::string                regionSource; ///< the file the regions were read from
};

struct Cohort
{
  std::vector<CohortRow> rows; ///< in the order given
};

/** Reads every file of the entries and checks the cohort: no (subject, model) twice, no
 * summary used by two rows, either every row names a model or none does; within a model,
 * every VoxelKLDivergence summary has the same settings (estimator, direction, ...), every
 * SpatialKLDivergence summary too, and an atlas label has one name; every region table has
 * kl columns. InputError naming the file(s) and the problem otherwise. */
Cohort
LoadCohort(const std::vector<CohortEntry> & entries);

/** The cohort of BIDS-named summary files (--summary): each file's `tool` says what it is;
 * the subject is the label of its `sub-<label>` entity, the model that of `model-<label>`,
 * else `desc-<label>`, else none. Each (subject, model) needs one VoxelKLDivergence summary
 * and may have one SpatialKLDivergence summary; region statistics come from the summaries'
 * "regions". Labels are letters and digits (BIDS). InputError naming the file for a name
 * without `sub-`, a label that is not alphanumeric, two summaries of one tool for one
 * (subject, model), a spatial summary without its KL summary, files with and files
 * without a model; then the checks of LoadCohort. */
Cohort
LoadCohortFromSummaries(const std::vector<std::string> & paths);

} // namespace voxelkl

#endif
