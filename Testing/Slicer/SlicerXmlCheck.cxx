// VoxelKLSlicerXmlCheck FILE [CATEGORY]
// Checks a 3D Slicer CLI module description against the rules of Slicer's
// ModuleDescriptionParser (notes: /work/shared/notes/slicer-cli.md, section 6): parsed
// with expat (well formed), first bytes `<?xml `, only the elements and image/table types
// the parser accepts, where it accepts them; names and long flags identifiers; never an
// index with a flag; every non-output parameter passable; no duplicate names; the module's
// fields present (CATEGORY, if given, exactly). Problems go to stderr (exit 1). On success
// stdout lists `<element> <longflag>` per flagged parameter, for the caller to check that
// the executable takes each flag.
#include <expat.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace
{

const std::set<std::string> ModuleFields{ "category", "title",       "description",      "version", "documentation-url",
                                          "license",  "contributor", "acknowledgements", "index",   "location" };
// Fields that must not be empty (documentation-url may be, until the project has one).
const std::set<std::string> RequiredFields{ "category", "title",       "description",     "version",
                                            "license",  "contributor", "acknowledgements" };
const std::set<std::string> ParameterElements{ "integer",
                                               "float",
                                               "double",
                                               "boolean",
                                               "string",
                                               "integer-vector",
                                               "float-vector",
                                               "double-vector",
                                               "string-vector",
                                               "string-enumeration",
                                               "integer-enumeration",
                                               "float-enumeration",
                                               "double-enumeration",
                                               "point",
                                               "region",
                                               "pointfile",
                                               "file",
                                               "directory",
                                               "image",
                                               "geometry",
                                               "transform",
                                               "table",
                                               "measurement" };
const std::set<std::string> ParameterFields{ "name",    "flag",    "longflag", "label",       "description",
                                             "default", "channel", "index",    "constraints", "element" };
const std::set<std::string> ConstraintFields{ "minimum", "maximum", "step" };
const std::set<std::string> ImageTypes{
  "scalar", "label", "vector", "tensor", "diffusion-weighted", "signal", "multichannel", "dynamic-contrast-enhanced",
  "any"
};
// Bulk data: an output one without flag or index is a path nobody passes.
const std::set<std::string> BulkElements{ "image",       "geometry",  "transform", "table",
                                          "measurement", "pointfile", "file",      "directory" };

bool
IsIdentifier(const std::string & text)
{
  if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_'))
  {
    return false;
  }
  for (const char c : text)
  {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
    {
      return false;
    }
  }
  return true;
}

std::string
StripDashes(std::string text)
{
  while (!text.empty() && text.front() == '-')
  {
    text.erase(0, 1);
  }
  return text;
}

struct Parameter
{
  std::string                        element;
  std::map<std::string, std::string> fields;
  std::map<std::string, std::string> attributes;
  int                                elements{ 0 };
  int                                line{ 0 };
};

struct State
{
  XML_Parser                         parser{ nullptr };
  std::vector<std::string>           open;
  std::string                        text;
  std::map<std::string, std::string> module;
  std::vector<Parameter>             parameters;
  bool                               inParameter{ false };
  int                                groups{ 0 };
  std::vector<std::string>           problems;

  void
  Problem(const std::string & what)
  {
    problems.push_back(what + " at line " + std::to_string(XML_GetCurrentLineNumber(parser)));
  }
};

void
Start(void * data, const char * name, const char ** attributes)
{
  State &                            state = *static_cast<State *>(data);
  const std::string                  element = name;
  const std::string                  parent = state.open.empty() ? "" : state.open.back();
  std::map<std::string, std::string> attributeMap;
  for (const char ** a = attributes; *a != nullptr; a += 2)
  {
    attributeMap[a[0]] = a[1];
  }
  bool known = false;
  if (parent.empty())
  {
    known = element == "executable";
  }
  else if (parent == "executable")
  {
    known = ModuleFields.count(element) > 0 || element == "parameters";
    if (element == "parameters")
    {
      ++state.groups;
      for (const auto & [key, value] : attributeMap)
      {
        if (key != "advanced" || (value != "true" && value != "false"))
        {
          state.Problem("<parameters> attribute " + key + "=\"" + value + "\"");
        }
      }
    }
  }
  else if (parent == "parameters")
  {
    known = element == "label" || element == "description" || ParameterElements.count(element) > 0;
    if (ParameterElements.count(element) > 0)
    {
      state.inParameter = true;
      state.parameters.push_back(
        Parameter{ element, {}, attributeMap, 0, static_cast<int>(XML_GetCurrentLineNumber(state.parser)) });
    }
  }
  else if (state.inParameter && ParameterElements.count(parent) > 0)
  {
    known = ParameterFields.count(element) > 0;
    if (element == "element")
    {
      ++state.parameters.back().elements;
    }
  }
  else if (parent == "constraints")
  {
    known = ConstraintFields.count(element) > 0;
  }
  if (!known)
  {
    state.Problem("unrecognized element <" + element + "> in <" + parent + ">");
  }
  state.open.push_back(element);
  state.text.clear();
}

void
End(void * data, const char * name)
{
  State &           state = *static_cast<State *>(data);
  const std::string element = name;
  state.open.pop_back();
  const std::string parent = state.open.empty() ? "" : state.open.back();
  if (parent == "executable" && ModuleFields.count(element) > 0)
  {
    state.module[element] = state.text;
  }
  else if (state.inParameter && ParameterElements.count(parent) > 0 && element != "element" && element != "constraints")
  {
    state.parameters.back().fields[element] = state.text;
  }
  if (ParameterElements.count(element) > 0 && parent == "parameters")
  {
    state.inParameter = false;
  }
  state.text.clear();
}

void
Text(void * data, const char * text, int length)
{
  static_cast<State *>(data)->text.append(text, static_cast<std::size_t>(length));
}

void
CheckParameters(State & state)
{
  std::set<std::string> names;
  for (const Parameter & p : state.parameters)
  {
    const std::string where = "<" + p.element + "> at line " + std::to_string(p.line);
    const auto        field = [&p](const char * key) -> const std::string * {
      const auto found = p.fields.find(key);
      return found == p.fields.end() ? nullptr : &found->second;
    };
    const std::string * name = field("name");
    if (name == nullptr || !IsIdentifier(*name))
    {
      state.problems.push_back(where + ": name missing or not an identifier");
    }
    else if (!names.insert(*name).second)
    {
      state.problems.push_back(where + ": duplicate name " + *name);
    }
    const std::string * flag = field("flag");
    const std::string * longflag = field("longflag");
    const std::string * index = field("index");
    if (flag != nullptr && StripDashes(*flag).size() != 1)
    {
      state.problems.push_back(where + ": flag '" + *flag + "' is not one character");
    }
    if (longflag != nullptr && !IsIdentifier(StripDashes(*longflag)))
    {
      state.problems.push_back(where + ": longflag '" + *longflag + "' is not an identifier");
    }
    if (index != nullptr && (flag != nullptr || longflag != nullptr))
    {
      state.problems.push_back(where + ": index together with a flag");
    }
    if (field("label") == nullptr || field("label")->empty())
    {
      state.problems.push_back(where + ": no label");
    }
    const std::string * channel = field("channel");
    if (channel != nullptr && *channel != "input" && *channel != "output")
    {
      state.problems.push_back(where + ": channel '" + *channel + "'");
    }
    if (BulkElements.count(p.element) > 0 && channel == nullptr)
    {
      state.problems.push_back(where + ": bulk data without a channel gets no widget");
    }
    const bool isOutput = channel != nullptr && *channel == "output";
    if (flag == nullptr && longflag == nullptr && index == nullptr && (!isOutput || BulkElements.count(p.element) > 0))
    {
      state.problems.push_back(where + ": neither flag nor index, so never passed");
    }
    if (p.element.find("-enumeration") != std::string::npos && p.elements == 0)
    {
      state.problems.push_back(where + ": an enumeration without elements");
    }
    for (const auto & [key, value] : p.attributes)
    {
      bool ok = key == "multiple" || key == "hidden" || key == "fileExtensions" || key == "reference" ||
                key == "coordinateSystem";
      if (key == "type")
      {
        ok = (p.element == "image" && ImageTypes.count(value) > 0) || (p.element == "table" && value == "color") ||
             (p.element == "geometry" || p.element == "transform" || p.element == "point" || p.element == "region");
      }
      if (!ok)
      {
        state.problems.push_back(where + ": attribute " + key + "=\"" + value + "\"");
      }
    }
  }
}

} // namespace

int
main(int argc, char ** argv)
{
  if (argc < 2 || argc > 3)
  {
    std::cerr << "usage: VoxelKLSlicerXmlCheck FILE [CATEGORY]\n";
    return 2;
  }
  std::ifstream      stream(argv[1], std::ios::binary);
  std::ostringstream content;
  content << stream.rdbuf();
  const std::string xml = content.str();
  State             state;
  if (xml.compare(0, 6, "<?xml ") != 0)
  {
    state.problems.emplace_back("the first 6 bytes are not '<?xml '");
  }
  state.parser = XML_ParserCreate(nullptr);
  XML_SetUserData(state.parser, &state);
  XML_SetElementHandler(state.parser, Start, End);
  XML_SetCharacterDataHandler(state.parser, Text);
  if (XML_Parse(state.parser, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR)
  {
    state.Problem(std::string("not well formed: ") + XML_ErrorString(XML_GetErrorCode(state.parser)));
  }
  XML_ParserFree(state.parser);
  state.parser = nullptr;
  if (state.problems.empty())
  {
    for (const auto & field : RequiredFields)
    {
      if (state.module[field].empty())
      {
        state.problems.push_back("<" + field + "> missing or empty");
      }
    }
    if (state.module.count("documentation-url") == 0)
    {
      state.problems.emplace_back("<documentation-url> missing");
    }
    if (argc == 3 && state.module["category"] != argv[2])
    {
      state.problems.push_back("category '" + state.module["category"] + "', expected '" + argv[2] + "'");
    }
    if (state.groups == 0)
    {
      state.problems.emplace_back("no <parameters>");
    }
    CheckParameters(state);
  }
  for (const auto & problem : state.problems)
  {
    std::cerr << argv[1] << ": " << problem << '\n';
  }
  if (!state.problems.empty())
  {
    return 1;
  }
  for (const auto & p : state.parameters)
  {
    const auto longflag = p.fields.find("longflag");
    if (longflag != p.fields.end())
    {
      std::cout << p.element << ' ' << StripDashes(longflag->second) << '\n';
    }
  }
  return 0;
}
