#include "voxelkl/StateHeaders.h"

#include "voxelkl/Errors.h"
#include "voxelkl/KLSummary.h"
#include "voxelkl/MapWriter.h"

#include <cmath>

namespace voxelkl
{
namespace
{

std::string
Software()
{
  return std::string("VoxelKL ") + VOXELKL_VERSION;
}

nlohmann::json
MaskInput(const Mask & mask)
{
  return mask.image ? nlohmann::json(mask.path) : nlohmann::json(nullptr);
}

} // namespace

StateHeader
MakeComparisonStateHeader(const KLMapJob & job, const MeasureState & state)
{
  StateHeader header;
  header.kind = state.Kind();
  header.grid = job.reference.grid;
  header.inside = job.mask.inside;
  header.options = { { "direction", ToString(job.direction) },
                     { "varianceFloor", { { "relative", job.floor.relative }, { "value", job.floor.value } } },
                     { "runs", ToString(job.runs) } };
  if (IsUnorientedNifti(job.reference.files.front()))
  {
    header.options["unorientedNifti"] = true;
  }
  header.inputs = { { "reference", DescribeSeries(job.reference) },
                    { "generated", DescribeSeries(job.generated) },
                    { "mask", MaskInput(job.mask) } };
  header.software = Software();
  return header;
}

StateHeader
MakeMomentsStateHeader(const MomentsJob & job, const MeasureState & state)
{
  StateHeader header;
  header.kind = state.Kind();
  header.grid = job.series.grid;
  header.inside = job.mask.inside;
  header.options = nlohmann::json::object();
  if (IsUnorientedNifti(job.series.files.front()))
  {
    header.options["unorientedNifti"] = true;
  }
  header.inputs = { { "series", DescribeSeries(job.series) }, { "mask", MaskInput(job.mask) } };
  header.software = Software();
  return header;
}

ComparisonStateOptions
ReadComparisonStateOptions(const std::string & file, const StateHeader & header)
{
  const nlohmann::json & options = header.options;
  const auto             invalid = [&](const std::string & what) {
    return InputError(file, "invalid VoxelKL state: option '" + what + "' is missing or not understood");
  };
  ComparisonStateOptions result;
  try
  {
    result.direction = ParseKLDirection(options.at("direction").get<std::string>());
  }
  catch (const std::exception &)
  {
    throw invalid("direction");
  }
  try
  {
    const nlohmann::json & floor = options.at("varianceFloor");
    result.floor.relative = floor.at("relative").get<bool>();
    result.floor.value = floor.at("value").get<double>();
  }
  catch (const std::exception &)
  {
    throw invalid("varianceFloor");
  }
  if (!(result.floor.value > 0.0) || !std::isfinite(result.floor.value))
  {
    throw invalid("varianceFloor");
  }
  try
  {
    result.runs = ParseRunsHandling(options.at("runs").get<std::string>());
  }
  catch (const std::exception &)
  {
    throw invalid("runs");
  }
  const auto unoriented = options.find("unorientedNifti");
  if (unoriented != options.end() && !unoriented->is_boolean())
  {
    throw invalid("unorientedNifti");
  }
  result.unorientedNifti = unoriented != options.end() && unoriented->get<bool>();
  return result;
}

} // namespace voxelkl
