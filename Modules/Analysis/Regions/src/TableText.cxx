#include "voxelkl/TableText.h"

#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace voxelkl
{

std::string
FormatTableNumber(double value)
{
  return fmt::format("{}", value);
}

std::string
TableCell(std::string text)
{
  for (char & c : text)
  {
    if (c == '\t' || c == '\n' || c == '\r')
    {
      c = ' ';
    }
  }
  return text;
}

std::string
FormatTableHeader(const std::vector<TableColumn> & columns)
{
  std::string text;
  for (std::size_t c = 0; c < columns.size(); ++c)
  {
    text += (c == 0 ? "" : "\t") + columns[c].name;
  }
  return text + '\n';
}

std::string
FormatTableSchema(const std::vector<TableColumn> & columns)
{
  std::string text = "columnName\ttype\tnullValue\tdescription\n";
  for (const auto & column : columns)
  {
    text += fmt::format("{}\t{}\t{}\t{}\n", column.name, column.type, column.nullValue, TableCell(column.description));
  }
  return text;
}

std::string
TableSchemaPath(const std::string & tablePath)
{
  for (const char * extension : { ".tsv", ".csv", ".txt" })
  {
    const std::string suffix = extension;
    // In any case, as the table options accept them: t.TSV gets t.schema.tsv, not t.TSV.schema.tsv.
    if (EndsWith(Lowercase(tablePath), suffix))
    {
      return tablePath.substr(0, tablePath.size() - suffix.size()) + ".schema" + suffix;
    }
  }
  return tablePath + ".schema.tsv";
}

std::vector<std::string>
SplitTableLine(std::string_view line)
{
  if (!line.empty() && line.back() == '\r')
  {
    line.remove_suffix(1);
  }
  std::vector<std::string> cells;
  std::size_t              start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1)
  {
    cells.emplace_back(line.substr(start, tab - start));
  }
  cells.emplace_back(line.substr(start));
  return cells;
}

std::optional<double>
ParseTableNumber(std::string_view cell)
{
  double       value = 0.0;
  const char * end = cell.data() + cell.size();
  const auto [stop, error] = std::from_chars(cell.data(), end, value);
  if (cell.empty() || error != std::errc() || stop != end || !std::isfinite(value))
  {
    return std::nullopt;
  }
  return value;
}

std::optional<unsigned long long>
ParseTableCount(std::string_view cell)
{
  unsigned long long value = 0;
  const char *       end = cell.data() + cell.size();
  const auto [stop, error] = std::from_chars(cell.data(), end, value);
  if (cell.empty() || error != std::errc() || stop != end)
  {
    return std::nullopt;
  }
  return value;
}

std::string
ReadTextFile(const std::string & path, const std::string & what)
{
  std::error_code error;
  if (!std::filesystem::exists(path, error))
  {
    throw InputError(path, "no such file");
  }
  if (std::filesystem::is_directory(path, error))
  {
    throw InputError(path, "is a directory, not " + what);
  }
  std::ifstream file(path, std::ios::binary);
  if (!file)
  {
    throw InputError(path, std::string("cannot be read: ") + std::strerror(errno));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad())
  {
    throw InputError(path, "cannot be read");
  }
  return contents.str();
}

} // namespace voxelkl
