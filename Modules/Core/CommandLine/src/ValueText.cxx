#include "ValueText.h"

#include "voxelkl/Errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

namespace voxelkl
{

bool
IsIdentifier(std::string_view text)
{
  const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return !text.empty() && letter(text.front()) &&
         std::all_of(text.begin(), text.end(), [&](char c) { return letter(c) || digit(c); });
}

namespace
{
// from_chars refuses '+', which users type for positive numbers.
std::string_view
WithoutPlus(std::string_view text)
{
  if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+')
  {
    text.remove_prefix(1);
  }
  return text;
}

template <typename T>
T
ParseNumber(const std::string & flag, const std::string & text, const char * expected)
{
  const std::string_view digits = WithoutPlus(text);
  T                      value{};
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc::result_out_of_range)
  {
    throw UsageError(fmt::format("--{}: '{}' is out of range", flag, text));
  }
  if (error != std::errc() || end != digits.data() + digits.size())
  {
    throw UsageError(fmt::format("--{}: expected {}, got '{}'", flag, expected, text));
  }
  return value;
}
} // namespace

int
ParseInt(const std::string & flag, const std::string & text)
{
  return ParseNumber<int>(flag, text, "an integer");
}

double
ParseDouble(const std::string & flag, const std::string & text)
{
  const double value = ParseNumber<double>(flag, text, "a number");
  if (!std::isfinite(value))
  {
    throw UsageError(fmt::format("--{}: expected a finite number, got '{}'", flag, text));
  }
  return value;
}

void
CheckChoice(const std::string & flag, const std::string & text, const std::vector<std::string> & choices)
{
  if (std::find(choices.begin(), choices.end(), text) == choices.end())
  {
    throw UsageError(fmt::format("--{}: unknown value '{}' (expected {})", flag, text, JoinAlternatives(choices)));
  }
}

std::string
FormatNumber(int value)
{
  return fmt::format("{}", value);
}

std::string
FormatNumber(double value)
{
  return fmt::format("{}", value);
}

std::string
JoinAlternatives(const std::vector<std::string> & words)
{
  std::string joined;
  for (std::size_t i = 0; i < words.size(); ++i)
  {
    if (i > 0)
    {
      joined += i + 1 == words.size() ? " or " : ", ";
    }
    joined += words[i];
  }
  return joined;
}

} // namespace voxelkl
