// Values as command-line text: parsing with one-line messages, formatting that round-trips.
#ifndef voxelkl_ValueText_h
#define voxelkl_ValueText_h

#include <string>
#include <string_view>
#include <vector>

namespace voxelkl
{

/** [_A-Za-z][_A-Za-z0-9]*: what 3D Slicer accepts as a name or long flag. */
bool
IsIdentifier(std::string_view text);

/** The whole text as a number, or a UsageError such as
 * "--threads: expected an integer, got 'abc'". A leading '+' is accepted. */
int
ParseInt(const std::string & flag, const std::string & text);
/** Finite numbers only: "nan" and "inf" are usage errors. */
double
ParseDouble(const std::string & flag, const std::string & text);
/** A UsageError such as "--direction: unknown value 'x' (expected forward, reverse or
 * symmetric)" unless text is one of the choices. */
void
CheckChoice(const std::string & flag, const std::string & text, const std::vector<std::string> & choices);

/** Shortest text that parses back to the same value ("0.5", "1e-06"). */
std::string
FormatNumber(int value);
std::string
FormatNumber(double value);

/** "a", "a or b", "a, b or c". */
std::string
JoinAlternatives(const std::vector<std::string> & words);

} // namespace voxelkl

#endif
