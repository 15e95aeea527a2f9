// Tab-separated tables as VoxelKL writes and reads them (region tables, cohort tables): one
// way to write a number or a name as a cell, one way to split a line into cells, and the
// 3D Slicer schema written beside every table.
#ifndef voxelkl_TableText_h
#define voxelkl_TableText_h

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace voxelkl
{

/** A column of a table and its row in the 3D Slicer schema. */
struct TableColumn
{
  std::string name;
  std::string type;      ///< Slicer's (VTK's) type name: int, double, string
  std::string nullValue; ///< what Slicer puts in a cell it cannot read as the type ("nan" for doubles)
  std::string description;
};

/** The shortest text that reads back to the same double (fmt's "{}"; "nan", "inf" for
 * non-finite values, which the writers avoid). */
std::string
FormatTableNumber(double value);

/** Text as one cell: tabs and line breaks, which would start another cell or row, become
 * spaces. */
std::string
TableCell(std::string text);

/** The header line of columns (names joined by tabs, newline-terminated). */
std::string
FormatTableHeader(const std::vector<TableColumn> & columns);

/** 3D Slicer's `<table>.schema.tsv`: `columnName type nullValue description`, one row per
 * column. Without it Slicer reads every column as text. */
std::string
FormatTableSchema(const std::vector<TableColumn> & columns);

/** Where Slicer looks for the schema of a table: "out/T.tsv" -> "out/T.schema.tsv" (also
 * .csv and .txt; any other name gets ".schema.tsv" appended). */
std::string
TableSchemaPath(const std::string & tablePath);

/** The cells of one line (split at every tab; a final '\r' of a CRLF file dropped). */
std::vector<std::string>
SplitTableLine(std::string_view line);

/** The double a cell holds, read exactly (std::from_chars: the text FormatTableNumber
 * writes reads back to the same bits); none for anything else, including an empty cell,
 * surrounding spaces, "nan" and "inf". */
std::optional<double>
ParseTableNumber(std::string_view cell);

/** A non-negative decimal integer cell ("0", "12"); none for anything else. */
std::optional<unsigned long long>
ParseTableCount(std::string_view cell);

/** The bytes of a text file (a table, an index, a JSON summary). InputError naming path:
 * "no such file", "is a directory, not <what>", "cannot be read". */
std::string
ReadTextFile(const std::string & path, const std::string & what);

} // namespace voxelkl

#endif
