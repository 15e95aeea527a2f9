// The values of one command line, checked against its CommandDescription.
#ifndef voxelkl_ParsedArguments_h
#define voxelkl_ParsedArguments_h

#include "voxelkl/CommandDescription.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace voxelkl
{

/** Every value has been checked when this exists (numbers parse, choices are known,
 * required options are present), so the getters only throw std::logic_error, for a flag
 * the description lacks or a getter of the wrong kind: programming errors. */
class ParsedArguments
{
public:
  /** The parameter has a value, from the command line or its default. A Boolean always has
   * one: read it with GetFlag. */
  bool
  Has(const std::string & flag) const;

  /** Paths, strings and choices. GetString needs a value (see Has) and a parameter that is
   * not Multiple; GetStrings gives every occurrence, in command-line order. */
  std::string
  GetString(const std::string & flag) const;
  std::optional<std::string>
  GetOptionalString(const std::string & flag) const;
  std::vector<std::string>
  GetStrings(const std::string & flag) const;

  int
  GetInt(const std::string & flag) const;
  std::optional<int>
  GetOptionalInt(const std::string & flag) const;
  double
  GetDouble(const std::string & flag) const;
  std::optional<double>
  GetOptionalDouble(const std::string & flag) const;
  bool
  GetFlag(const std::string & flag) const;

  /** Where 3D Slicer wants the return values (--returnparameterfile); none from a
   * terminal, where WriteReturnParameters prints them instead. */
  const std::optional<std::string> &
  ReturnParameterFile() const
  {
    return m_ReturnParameterFile;
  }

private:
  friend ParsedArguments
  ParseCommandLine(const CommandDescription &, const std::vector<std::string> &);

  /** What a getter returns: every path, string and choice is Text. */
  enum class ValueType
  {
    Text,
    Integer,
    Double,
    Flag
  };
  struct Entry
  {
    ValueType                type;
    bool                     multiple;
    std::vector<std::string> values; ///< as typed, or the default; empty when absent
  };
  const Entry &
  Find(const std::string & flag, const char * getter, ValueType type) const;
  std::optional<std::string>
  SingleValue(const std::string & flag, const char * getter, ValueType type) const;

  std::map<std::string, Entry> m_Entries;
  std::optional<std::string>   m_ReturnParameterFile;
};

/** Parses arguments (without the program name) as the description declares them: values
 * as separate tokens (`--x v`, as 3D Slicer passes them) or joined (`--x=v`), no
 * abbreviations, no positional arguments. Also accepts Slicer's --returnparameterfile
 * FILE and --processinformationaddress ADDRESS. Throws UsageError with a one-line message
 * for anything the user got wrong, std::logic_error for an invalid description. --help,
 * --version and --xml are RunCommand's business, not looked at here. */
ParsedArguments
ParseCommandLine(const CommandDescription & description, const std::vector<std::string> & arguments);

} // namespace voxelkl

#endif
