#include "voxelkl/CohortTables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace voxelkl
{
namespace
{

std::string
Text(const std::string & text)
{
  return text.empty() ? std::string(NotAvailable) : TableCell(text);
}

std::string
Number(const std::optional<double> & value)
{
  return value && std::isfinite(*value) ? FormatTableNumber(*value) : std::string(NotAvailable);
}

std::string
Row(const std::vector<std::string> & cells)
{
  std::string line;
  for (std::size_t c = 0; c < cells.size(); ++c)
  {
    line += (c == 0 ? "" : "\t") + cells[c];
  }
  return line + '\n';
}

// The statistics of a map in a region, if the row's table has the map.
const SampleSummary *
FindMap(const RegionTable & table, const RegionRow & region, const std::string & map)
{
  const auto found = std::find(table.mapNames.begin(), table.mapNames.end(), map);
  return found == table.mapNames.end() ? nullptr : &region.maps[std::size_t(found - table.mapNames.begin())];
}

std::optional<double>
Median(const SampleSummary * summary)
{
  return summary && summary->count > 0 ? std::optional<double>(summary->median) : std::nullopt;
}

// Mean and sample standard deviation (n - 1), two passes in the order given.
GroupStatistic
Summarise(GroupStatistic statistic, const std::vector<double> & values)
{
  statistic.n = values.size();
  if (values.empty())
  {
    return statistic;
  }
  double sum = 0.0;
  for (const double value : values)
  {
    sum += value;
  }
  const double mean = sum / double(values.size());
  statistic.mean = mean;
  if (values.size() >= 2)
  {
    double squares = 0.0;
    for (const double value : values)
    {
      squares += (value - mean) * (value - mean);
    }
    statistic.sd = std::sqrt(squares / double(values.size() - 1));
  }
  return statistic;
}

} // namespace

std::vector<TableColumn>
CohortTableColumns()
{
  return {
    { "subject", "string", "", "subject (sub-<label> of BIDS, or the index's subject column)" },
    { "model", "string", "", "model that generated the series; n/a when the cohort names none" },
    { "estimator", "string", "", "KL estimator of VoxelKLDivergence (gaussian, knn, histogram)" },
    { "direction", "string", "", "KL direction (forward = KL(reference || generated), reverse, symmetric)" },
    { "validVoxels", "int", "", "voxels with a KL estimate (the summary's voxels.valid)" },
    { "meanKL", "double", "nan", "mean KL over the valid voxels, nats" },
    { "medianKL", "double", "nan", "median KL over the valid voxels, nats" },
    { "globalMSE", "double", "nan", "mean of (generated - reference)^2 over mask and time (n/a without --mse)" },
    { "spatialKL", "double", "nan", "SpatialKLDivergence loss term: mean over volumes of the softmax KL, nats" },
    { "spatialDirection", "string", "", "direction of the spatial KL" },
    { "spatialStandardize", "string", "", "standardization before the softmax (none, voxel, volume)" },
    { "spatialTemperature", "double", "nan", "softmax temperature of the spatial KL" },
  };
}

std::string
FormatCohortTable(const Cohort & cohort)
{
  std::string text = FormatTableHeader(CohortTableColumns());
  for (const CohortRow & row : cohort.rows)
  {
    const auto & spatial = row.spatial;
    text += Row({ Text(row.subject),
                  Text(row.model),
                  Text(row.kl.estimator),
                  Text(row.kl.direction),
                  std::to_string(row.kl.validVoxels),
                  Number(row.kl.meanKL),
                  Number(row.kl.medianKL),
                  Number(row.kl.globalMSE),
                  spatial ? Number(spatial->spatialKL) : NotAvailable,
                  spatial ? Text(spatial->direction) : NotAvailable,
                  spatial ? Text(spatial->standardize) : NotAvailable,
                  spatial ? Number(spatial->temperature) : NotAvailable });
  }
  return text;
}

std::vector<std::string>
CohortRegionMaps(const Cohort & cohort)
{
  std::vector<std::string> maps;
  for (const CohortRow & row : cohort.rows)
  {
    if (row.regions)
    {
      for (const std::string & map : row.regions->mapNames)
      {
        if (std::find(maps.begin(), maps.end(), map) == maps.end())
        {
          maps.push_back(map);
        }
      }
    }
  }
  return maps;
}

bool
HasRegions(const Cohort & cohort)
{
  return std::any_of(cohort.rows.begin(), cohort.rows.end(), [](const CohortRow & row) { return row.regions; });
}

std::vector<TableColumn>
CohortRegionColumns(const Cohort & cohort)
{
  std::vector<TableColumn> columns{
    { "subject", "string", "", "subject" },
    { "model", "string", "", "model; n/a when the cohort names none" },
    { "label", "int", "", "atlas label (voxel value in the atlas)" },
    { "name", "string", "", "region name" },
    { "voxels", "int", "", "voxels of the region on the maps' grid (inside the mask)" },
  };
  for (const std::string & map : CohortRegionMaps(cohort))
  {
    columns.push_back({ map + "_count", "int", "", "voxels of the region summarised for " + map + " (valid, finite)" });
    columns.push_back({ map + "_median", "double", "nan", "median of " + map + " over the region" });
  }
  return columns;
}

std::string
FormatCohortRegionTable(const Cohort & cohort)
{
  const auto  maps = CohortRegionMaps(cohort);
  std::string text = FormatTableHeader(CohortRegionColumns(cohort));
  for (const CohortRow & row : cohort.rows)
  {
    if (!row.regions)
    {
      continue;
    }
    for (const RegionRow & region : row.regions->rows)
    {
      std::vector<std::string> cells{ Text(row.subject),
                                      Text(row.model),
                                      std::to_string(region.label),
                                      Text(region.name),
                                      std::to_string(region.voxels) };
      for (const std::string & map : maps)
      {
        const SampleSummary * summary = FindMap(*row.regions, region, map);
        cells.push_back(summary ? std::to_string(summary->count) : std::string(NotAvailable));
        cells.push_back(Number(Median(summary)));
      }
      text += Row(cells);
    }
  }
  return text;
}

std::vector<GroupStatistic>
ComputeGroupStatistics(const Cohort & cohort)
{
  std::vector<std::string> models;
  for (const CohortRow & row : cohort.rows)
  {
    if (std::find(models.begin(), models.end(), row.model) == models.end())
    {
      models.push_back(row.model);
    }
  }
  const auto                  maps = CohortRegionMaps(cohort);
  std::vector<GroupStatistic> statistics;
  for (const std::string & model : models)
  {
    std::vector<const CohortRow *> rows;
    for (const CohortRow & row : cohort.rows)
    {
      if (row.model == model)
      {
        rows.push_back(&row);
      }
    }
    // The whole-brain measures of the summaries.
    using Measure = std::optional<double> (*)(const CohortRow &);
    const std::pair<const char *, Measure> measures[] = {
      { "meanKL", [](const CohortRow & row) { return row.kl.meanKL; } },
      { "medianKL", [](const CohortRow & row) { return row.kl.medianKL; } },
      { "globalMSE", [](const CohortRow & row) { return row.kl.globalMSE; } },
      { "spatialKL",
        [](const CohortRow & row) { return row.spatial ? row.spatial->spatialKL : std::optional<double>(); } },
    };
    for (const auto & [measure, value] : measures)
    {
      std::vector<double> values;
      for (const CohortRow * row : rows)
      {
        if (const auto v = value(*row); v && std::isfinite(*v))
        {
          values.push_back(*v);
        }
      }
      statistics.push_back(Summarise({ model, std::nullopt, "whole brain", measure, 0, {}, {} }, values));
    }
    // The regions: labels of any of the model's tables, named as they name them (one name
    // per label within a model: LoadCohort checks it).
    std::map<std::int32_t, std::string> labels;
    for (const CohortRow * row : rows)
    {
      if (row->regions)
      {
        for (const RegionRow & region : row->regions->rows)
        {
          labels.emplace(region.label, region.name);
        }
      }
    }
    for (const auto & [label, name] : labels)
    {
      for (const std::string & map : maps)
      {
        std::vector<double> values;
        for (const CohortRow * row : rows)
        {
          if (!row->regions)
          {
            continue;
          }
          const auto & regions = row->regions->rows;
          const auto   region = std::find_if(
            regions.begin(), regions.end(), [label = label](const RegionRow & r) { return r.label == label; });
          if (region != regions.end())
          {
            if (const auto median = Median(FindMap(*row->regions, *region, map)))
            {
              values.push_back(*median);
            }
          }
        }
        statistics.push_back(Summarise({ model, label, name, map + "_median", 0, {}, {} }, values));
      }
    }
  }
  return statistics;
}

std::vector<TableColumn>
GroupTableColumns()
{
  return {
    { "model", "string", "", "model; n/a when the cohort names none" },
    { "label", "int", "", "atlas label; n/a for the whole-brain measures" },
    { "name", "string", "", "region name; 'whole brain' for the measures of the summaries" },
    { "measure", "string", "", "the column of the cohort table (meanKL, ...) or of its region table (kl_median, ...)" },
    { "n", "int", "", "subjects of the model with a value" },
    { "mean", "double", "nan", "mean over those subjects; n/a when n = 0" },
    { "sd", "double", "nan", "sample standard deviation over those subjects (n - 1); n/a when n < 2" },
  };
}

std::string
FormatGroupTable(const std::vector<GroupStatistic> & statistics)
{
  std::string text = FormatTableHeader(GroupTableColumns());
  for (const GroupStatistic & statistic : statistics)
  {
    text += Row({ Text(statistic.model),
                  statistic.label ? std::to_string(*statistic.label) : std::string(NotAvailable),
                  Text(statistic.name),
                  statistic.measure,
                  std::to_string(statistic.n),
                  Number(statistic.mean),
                  Number(statistic.sd) });
  }
  return text;
}

} // namespace voxelkl
