#include "voxelkl/Cohort.h"
#include "voxelkl/KLSummary.h"

#include "voxelkl/Errors.h"
#include "voxelkl/RegionTableReader.h"
#include "voxelkl/TableText.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace voxelkl
{
namespace
{
namespace fs = std::filesystem;

// "subject 01, model x", or "subject 01" in a cohort of one model.
std::string
Who(const std::string & subject, const std::string & model)
{
  return model.empty() ? fmt::format("subject {}", subject) : fmt::format("subject {}, model {}", subject, model);
}

std::string
OfModel(const std::string & model)
{
  return model.empty() ? std::string("the cohort") : fmt::format("model {}", model);
}

bool
HasSurroundingSpace(const std::string & text)
{
  return !text.empty() && (std::isspace(static_cast<unsigned char>(text.front())) ||
                           std::isspace(static_cast<unsigned char>(text.back())));
}

// Index columns: name, required.
const std::vector<std::pair<std::string, bool>> &
IndexColumns()
{
  static const std::vector<std::pair<std::string, bool>> columns{
    { "subject", true }, { "model", false }, { "summary", true }, { "regionTable", false }, { "spatialSummary", false }
  };
  return columns;
}

std::string
ResolvePath(const std::string & cell, const fs::path & directory)
{
  if (cell.empty() || fs::path(cell).is_absolute() || directory.empty())
  {
    return cell;
  }
  return (directory / cell).string();
}

} // namespace

std::vector<CohortEntry>
ParseCohortIndex(const std::string & input, const std::string & path)
{
  std::string text = input;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0)
  {
    text.erase(0, 3);
  }
  std::istringstream lines(text);
  std::string        line;
  if (!std::getline(lines, line) || SplitTableLine(line) == std::vector<std::string>{ "" })
  {
    throw InputError(path, "is empty: expected a header row (subject, model, summary, regionTable)");
  }
  // Column name -> position.
  std::map<std::string, std::size_t> position;
  const auto                         header = SplitTableLine(line);
  for (std::size_t c = 0; c < header.size(); ++c)
  {
    const auto known = std::find_if(
      IndexColumns().begin(), IndexColumns().end(), [&](const auto & column) { return column.first == header[c]; });
    if (known == IndexColumns().end())
    {
      throw InputError(path,
                       fmt::format("unknown column '{}' in the header (the columns are subject, model, summary, "
                                   "regionTable, spatialSummary)",
                                   header[c].substr(0, 40)));
    }
    if (!position.emplace(header[c], c).second)
    {
      throw InputError(path, fmt::format("column '{}' appears twice in the header", header[c]));
    }
  }
  for (const auto & [name, required] : IndexColumns())
  {
    if (required && position.count(name) == 0)
    {
      throw InputError(path, fmt::format("the header has no '{}' column", name));
    }
  }

  const fs::path                                      directory = fs::path(path).parent_path();
  std::vector<CohortEntry>                            entries;
  std::map<std::pair<std::string, std::string>, long> seen; // (subject, model) -> line
  for (long number = 2; std::getline(lines, line); ++number)
  {
    const auto cells = SplitTableLine(line);
    if (std::all_of(cells.begin(), cells.end(), [](const std::string & cell) { return cell.empty(); }))
    {
      continue; // blank
    }
    const std::string where = fmt::format("{}:{}", path, number);
    if (cells.size() > header.size())
    {
      throw InputError(where, fmt::format("{} cells, the header has {}", cells.size(), header.size()));
    }
    const auto cell = [&](const std::string & column) -> std::string {
      const auto found = position.find(column);
      return found == position.end() || found->second >= cells.size() ? std::string() : cells[found->second];
    };
    CohortEntry entry;
    entry.origin = where;
    entry.subject = cell("subject");
    entry.model = cell("model") == "n/a" ? std::string() : cell("model");
    if (entry.subject.empty() || entry.subject == "n/a")
    {
      throw InputError(where, "no subject");
    }
    for (const auto & [column, value] : { std::pair{ "subject", entry.subject }, std::pair{ "model", entry.model } })
    {
      if (HasSurroundingSpace(value))
      {
        throw InputError(where, fmt::format("{} '{}' begins or ends with a space", column, value));
      }
    }
    if (cell("summary").empty())
    {
      throw InputError(where, fmt::format("no summary for {}", Who(entry.subject, entry.model)));
    }
    entry.summary = ResolvePath(cell("summary"), directory);
    entry.regionTable = ResolvePath(cell("regionTable"), directory);
    entry.spatialSummary = ResolvePath(cell("spatialSummary"), directory);
    const auto [previous, added] = seen.emplace(std::pair{ entry.subject, entry.model }, number);
    if (!added)
    {
      throw InputError(
        where, fmt::format("{} is given twice (also on line {})", Who(entry.subject, entry.model), previous->second));
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty())
  {
    throw InputError(path, "has no rows after its header");
  }
  return entries;
}

std::vector<CohortEntry>
ReadCohortIndex(const std::string & path)
{
  return ParseCohortIndex(ReadTextFile(path, "a cohort index"), path);
}

std::vector<std::pair<std::string, std::string>>
BidsEntities(const std::string & path)
{
  const std::string                                name = fs::path(path).filename().string();
  const std::string                                stem = name.substr(0, name.find('.'));
  std::vector<std::pair<std::string, std::string>> entities;
  std::size_t                                      start = 0;
  while (start <= stem.size())
  {
    const std::size_t end = std::min(stem.find('_', start), stem.size());
    const std::string part = stem.substr(start, end - start);
    const std::size_t dash = part.find('-');
    if (dash != std::string::npos)
    {
      std::string key = part.substr(0, dash);
      for (const auto & [other, value] : entities)
      {
        if (other == key)
        {
          throw InputError(path, fmt::format("the entity '{}-' appears twice in the file name", key));
        }
      }
      entities.emplace_back(std::move(key), part.substr(dash + 1));
    }
    start = end + 1;
  }
  return entities;
}

nlohmann::json
ReadJsonDocument(const std::string & path)
{
  const std::string text = ReadTextFile(path, "a JSON summary");
  try
  {
    return nlohmann::json::parse(text);
  }
  catch (const nlohmann::json::exception & error)
  {
    // "[json.exception.parse_error.101] parse error at line 1, ...": the reason, without the id.
    std::string reason = error.what();
    if (const auto id = reason.find("] "); reason.rfind("[json.exception", 0) == 0 && id != std::string::npos)
    {
      reason.erase(0, id + 2);
    }
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    throw InputError(path, "not JSON: " + reason);
  }
}

std::string
SummaryTool(const nlohmann::json & document, const std::string & path)
{
  if (!document.is_object() || !document.contains("tool") || !document["tool"].is_string())
  {
    throw InputError(path,
                     "not a VoxelKL summary (no 'tool' field): expected the JSON of VoxelKLDivergence --summary or "
                     "SpatialKLDivergence --summary");
  }
  const std::string tool = document["tool"].get<std::string>();
  if (tool != "VoxelKLDivergence" && tool != "SpatialKLDivergence")
  {
    throw InputError(
      path, fmt::format("a summary of '{}', not of VoxelKLDivergence or SpatialKLDivergence", tool.substr(0, 40)));
  }
  return tool;
}

namespace
{

class SummaryFields
{
public:
  SummaryFields(const nlohmann::json & document, const std::string & path, const char * tool)
    : m_Document(document)
    , m_Path(path)
    , m_Tool(tool)
  {
  }

  const nlohmann::json &
  Field(const std::string & field) const
  {
    const nlohmann::json * node = FindField(m_Document, field);
    if (!node)
    {
      throw InputError(m_Path, fmt::format("no field '{}': not a complete {} summary", field, m_Tool));
    }
    return *node;
  }
  std::string
  String(const std::string & field) const
  {
    const auto & node = Field(field);
    if (!node.is_string())
    {
      throw Wrong(field, node, "text");
    }
    return node.get<std::string>();
  }
  std::uint64_t
  Count(const std::string & field) const
  {
    const auto & node = Field(field);
    if (!node.is_number_unsigned() && !(node.is_number_integer() && node.get<std::int64_t>() >= 0))
    {
      throw Wrong(field, node, "a count");
    }
    return node.get<std::uint64_t>();
  }
  double
  Number(const std::string & field) const
  {
    const auto & node = Field(field);
    if (!node.is_number())
    {
      throw Wrong(field, node, "a number");
    }
    return node.get<double>();
  }
  /** A number, or null (how JSON writes NaN): none. */
  std::optional<double>
  OptionalNumber(const std::string & field) const
  {
    const auto & node = Field(field);
    if (node.is_null())
    {
      return std::nullopt;
    }
    if (!node.is_number())
    {
      throw Wrong(field, node, "a number");
    }
    const double value = node.get<double>();
    return std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
  }
  bool
  Has(const std::string & field) const
  {
    return FindField(m_Document, field) != nullptr;
  }
  /** (field, its JSON text), or (field, fallback) when it is absent. */
  std::pair<std::string, std::string>
  Setting(const std::string & field, const std::string & fallback = "absent") const
  {
    const nlohmann::json * node = FindField(m_Document, field);
    return { field, node ? node->dump() : fallback };
  }

private:
  InputError
  Wrong(const std::string & field, const nlohmann::json & node, const char * expected) const
  {
    return InputError(m_Path, fmt::format("field '{}' is {}, expected {}", field, node.type_name(), expected));
  }

  const nlohmann::json & m_Document;
  std::string            m_Path;
  const char *           m_Tool;
};

void
RequireTool(const nlohmann::json & document, const std::string & path, const std::string & expected)
{
  const std::string tool = SummaryTool(document, path);
  if (tool != expected)
  {
    throw InputError(path,
                     fmt::format("a {} summary where a {} summary is expected{}",
                                 tool,
                                 expected,
                                 tool == "SpatialKLDivergence" ? " (the index's spatialSummary column takes it)" : ""));
  }
}

} // namespace

KLRunSummary
ParseKLSummary(const nlohmann::json & document, const std::string & path)
{
  RequireTool(document, path, "VoxelKLDivergence");
  const SummaryFields fields(document, path, "VoxelKLDivergence");
  KLRunSummary        summary;
  summary.path = path;
  summary.estimator = fields.String("options.estimator");
  summary.direction = fields.String("options.direction");
  // What changes the numbers. A summary names its runs handling only when it matters.
  summary.settings = { fields.Setting("options.estimator"),
                       fields.Setting("options.direction"),
                       fields.Setting("options.runs", "\"concatenate\""),
                       fields.Setting("options.varianceFloor"),
                       fields.Setting("options.neighbours"),
                       fields.Setting("options.theilerWindow"),
                       fields.Setting("options.bins"),
                       fields.Setting("options.pseudocount") };
  summary.validVoxels = fields.Count("voxels.valid");
  const std::uint64_t count = fields.Count("kl.count");
  const auto          mean = fields.OptionalNumber("kl.mean");
  const auto          median = fields.OptionalNumber("kl.median");
  if (count > 0)
  {
    summary.meanKL = mean;
    summary.medianKL = median;
  }
  if (fields.Has("globalMSE"))
  {
    summary.globalMSE = fields.OptionalNumber("globalMSE");
  }
  if (fields.Has("regions"))
  {
    summary.regions = RegionTableFromJson(fields.Field("regions"), path + ": regions");
  }
  return summary;
}

SpatialKLRunSummary
ParseSpatialKLSummary(const nlohmann::json & document, const std::string & path)
{
  RequireTool(document, path, "SpatialKLDivergence");
  const SummaryFields fields(document, path, "SpatialKLDivergence");
  SpatialKLRunSummary summary;
  summary.path = path;
  summary.direction = fields.String("options.direction");
  summary.standardize = fields.String("options.standardize");
  summary.temperature = fields.Number("options.temperature");
  summary.settings = { fields.Setting("options.direction"),
                       fields.Setting("options.standardize"),
                       fields.Setting("options.temperature") };
  const std::uint64_t count = fields.Count("spatialKL.count");
  const auto          mean = fields.OptionalNumber("spatialKL.mean");
  if (count > 0)
  {
    summary.spatialKL = mean;
  }
  return summary;
}

namespace
{

// The first setting in which two summaries differ, as a message; empty when none does.
std::string
SettingDifference(const std::vector<std::pair<std::string, std::string>> & first,
                  const std::string &                                      firstPath,
                  const std::vector<std::pair<std::string, std::string>> & second,
                  const std::string &                                      secondPath)
{
  for (std::size_t s = 0; s < first.size() && s < second.size(); ++s)
  {
    if (first[s].second != second[s].second)
    {
      return fmt::format(
        "{} is {} in {} but {} in {}", first[s].first, second[s].second, secondPath, first[s].second, firstPath);
    }
  }
  return {};
}

void
CheckCohort(const Cohort & cohort)
{
  // No (subject, model) twice, no file for two rows.
  std::map<std::pair<std::string, std::string>, const CohortRow *> keys;
  std::map<std::string, std::pair<const CohortRow *, std::string>> files; // canonical path -> (row, path)
  for (const CohortRow & row : cohort.rows)
  {
    const auto [previous, added] = keys.emplace(std::pair{ row.subject, row.model }, &row);
    if (!added)
    {
      throw InputError(
        row.origin,
        fmt::format("{} is given twice (also by {})", Who(row.subject, row.model), previous->second->origin));
    }
    std::vector<std::string> paths{ row.kl.path };
    if (row.spatial)
    {
      paths.push_back(row.spatial->path);
    }
    if (row.regions && row.regionSource != row.kl.path)
    {
      paths.push_back(row.regionSource);
    }
    for (const std::string & path : paths)
    {
      std::error_code   error;
      const std::string canonical = fs::weakly_canonical(path, error).string();
      const auto [other, fresh] = files.emplace(error ? path : canonical, std::pair{ &row, path });
      if (!fresh && other->second.first != &row)
      {
        throw InputError(path,
                         fmt::format("is given for {} ({}) and for {} ({}): each comparison has files of its own",
                                     Who(other->second.first->subject, other->second.first->model),
                                     other->second.first->origin,
                                     Who(row.subject, row.model),
                                     row.origin));
      }
    }
  }
  // A model on every row or on none.
  const auto named =
    std::find_if(cohort.rows.begin(), cohort.rows.end(), [](const CohortRow & row) { return !row.model.empty(); });
  const auto unnamed =
    std::find_if(cohort.rows.begin(), cohort.rows.end(), [](const CohortRow & row) { return row.model.empty(); });
  if (named != cohort.rows.end() && unnamed != cohort.rows.end())
  {
    throw InputError(fmt::format("{} names model {} but {} names no model: name a model for every row or for none",
                                 named->origin,
                                 named->model,
                                 unnamed->origin));
  }
  // Within a model: one way of computing, one atlas.
  std::map<std::string, const CohortRow *> firstKL, firstSpatial;
  std::map<std::string, std::map<std::int32_t, std::pair<std::string, std::string>>>
    names; // model -> label -> (name, file)
  for (const CohortRow & row : cohort.rows)
  {
    const auto [first, added] = firstKL.emplace(row.model, &row);
    if (!added)
    {
      const std::string difference =
        SettingDifference(first->second->kl.settings, first->second->kl.path, row.kl.settings, row.kl.path);
      if (!difference.empty())
      {
        throw InputError(fmt::format("{} mixes KL maps computed differently: {}", OfModel(row.model), difference));
      }
    }
    if (row.spatial)
    {
      const auto [spatial, fresh] = firstSpatial.emplace(row.model, &row);
      if (!fresh)
      {
        const std::string difference = SettingDifference(
          spatial->second->spatial->settings, spatial->second->spatial->path, row.spatial->settings, row.spatial->path);
        if (!difference.empty())
        {
          throw InputError(fmt::format("{} mixes spatial KL computed differently: {}", OfModel(row.model), difference));
        }
      }
    }
    if (row.regions)
    {
      if (std::find(row.regions->mapNames.begin(), row.regions->mapNames.end(), "kl") == row.regions->mapNames.end())
      {
        throw InputError(row.regionSource,
                         "has no kl map (kl_count, kl_median, ... columns): not a VoxelKLDivergence region table");
      }
      auto & labels = names[row.model];
      for (const RegionRow & region : row.regions->rows)
      {
        const auto [known, fresh] = labels.emplace(region.label, std::pair{ region.name, row.regionSource });
        if (!fresh && known->second.first != region.name)
        {
          throw InputError(fmt::format("label {} is '{}' in {} but '{}' in {}: regions of different atlases cannot be "
                                       "pooled in {}",
                                       region.label,
                                       known->second.first,
                                       known->second.second,
                                       region.name,
                                       row.regionSource,
                                       OfModel(row.model)));
        }
      }
    }
  }
}

} // namespace

Cohort
LoadCohort(const std::vector<CohortEntry> & entries)
{
  Cohort cohort;
  for (const CohortEntry & entry : entries)
  {
    CohortRow row;
    row.subject = entry.subject;
    row.model = entry.model;
    row.origin = entry.origin;
    row.kl = ParseKLSummary(ReadJsonDocument(entry.summary), entry.summary);
    if (!entry.spatialSummary.empty())
    {
      row.spatial = ParseSpatialKLSummary(ReadJsonDocument(entry.spatialSummary), entry.spatialSummary);
    }
    if (!entry.regionTable.empty())
    {
      row.regions = ReadRegionTable(entry.regionTable);
      row.regionSource = entry.regionTable;
    }
    else if (row.kl.regions)
    {
      row.regions = row.kl.regions;
      row.regionSource = entry.summary;
    }
    cohort.rows.push_back(std::move(row));
  }
  CheckCohort(cohort);
  return cohort;
}

namespace
{
std::string
EntityLabel(const std::vector<std::pair<std::string, std::string>> & entities,
            const std::string &                                      key,
            const std::string &                                      path)
{
  for (const auto & [name, value] : entities)
  {
    if (name == key)
    {
      if (value.empty() || !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isalnum(c); }))
      {
        throw InputError(path,
                         fmt::format("the label of '{}-{}' in the file name is not letters and digits (BIDS)",
                                     key,
                                     value.substr(0, 40)));
      }
      return value;
    }
  }
  return {};
}
} // namespace

Cohort
LoadCohortFromSummaries(const std::vector<std::string> & paths)
{
  struct Pending
  {
    std::string                        subject, model;
    std::optional<KLRunSummary>        kl;
    std::optional<SpatialKLRunSummary> spatial;
  };
  std::vector<Pending>                                       pending; // in the order of their first file
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const std::string & path : paths)
  {
    const auto        entities = BidsEntities(path);
    const std::string subject = EntityLabel(entities, "sub", path);
    if (subject.empty())
    {
      throw InputError(path, "no sub-<label> entity in the file name: the subject comes from it (or give an --index)");
    }
    std::string model = EntityLabel(entities, "model", path);
    if (model.empty())
    {
      model = EntityLabel(entities, "desc", path);
    }
    const nlohmann::json document = ReadJsonDocument(path);
    const std::string    tool = SummaryTool(document, path);
    const auto [found, added] = index.emplace(std::pair{ subject, model }, pending.size());
    if (added)
    {
      pending.push_back({ subject, model, std::nullopt, std::nullopt });
    }
    Pending &  entry = pending[found->second];
    const bool isKL = tool == "VoxelKLDivergence";
    if (isKL ? entry.kl.has_value() : entry.spatial.has_value())
    {
      throw InputError(fmt::format("{} and {} are both the {} summary of {} (sessions, runs and other entities of the "
                                   "file name are not told apart: give an --index)",
                                   isKL ? entry.kl->path : entry.spatial->path,
                                   path,
                                   tool,
                                   Who(subject, model)));
    }
    if (isKL)
    {
      entry.kl = ParseKLSummary(document, path);
    }
    else
    {
      entry.spatial = ParseSpatialKLSummary(document, path);
    }
  }
  if (pending.empty())
  {
    throw UsageError("no summary given");
  }
  Cohort cohort;
  for (Pending & entry : pending)
  {
    if (!entry.kl)
    {
      throw InputError(entry.spatial->path,
                       fmt::format("the SpatialKLDivergence summary of {}, which has no VoxelKLDivergence summary "
                                   "(--summary sub-{}{}_....json)",
                                   Who(entry.subject, entry.model),
                                   entry.subject,
                                   entry.model.empty() ? "" : "_model-" + entry.model));
    }
    CohortRow row;
    row.subject = entry.subject;
    row.model = entry.model;
    row.origin = entry.kl->path;
    row.kl = std::move(*entry.kl);
    row.spatial = std::move(entry.spatial);
    if (row.kl.regions)
    {
      row.regions = row.kl.regions;
      row.regionSource = row.kl.path;
    }
    cohort.rows.push_back(std::move(row));
  }
  CheckCohort(cohort);
  return cohort;
}

} // namespace voxelkl
