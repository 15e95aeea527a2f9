// The one declaration of an executable's interface. ParseCommandLine, FormatHelp and
// FormatSlicerXml all read it, so the parser, --help and the 3D Slicer XML never disagree.
#ifndef voxelkl_CommandDescription_h
#define voxelkl_CommandDescription_h

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace voxelkl
{

enum class ParameterKind
{
  InputImage,
  OutputImage,
  InputFile,
  OutputFile,
  OutputTable, ///< a TSV table (plus its .schema.tsv): a table node in 3D Slicer
  String,
  Integer,
  Double,
  Boolean,    ///< a switch: present means true (3D Slicer passes the bare flag)
  Enumeration ///< a string restricted to a list of choices
};

/** One option, `--flag VALUE` (or `--flag` alone for a Boolean). Made by the factories,
 * refined by the chainable setters:
 *
 *   Parameter::InputImage("reference", "Reference series", "The real fMRI series.").Required()
 *
 * The flag must be an identifier ([_A-Za-z][_A-Za-z0-9]*): 3D Slicer rejects `num-bins`.
 * Every misuse is a programming error and throws std::logic_error at once. */
class Parameter
{
public:
  static Parameter
  InputImage(std::string flag, std::string label, std::string description);
  static Parameter
  OutputImage(std::string flag, std::string label, std::string description);
  /** extensions such as { ".json" }: shown in --help, and 3D Slicer names its temporary
   * file after the first one. */
  static Parameter
  InputFile(std::string flag, std::string label, std::string description, std::vector<std::string> extensions = {});
  static Parameter
  OutputFile(std::string flag, std::string label, std::string description, std::vector<std::string> extensions = {});
  /** A tab-separated table: 3D Slicer offers a table node and passes a `.tsv` path. */
  static Parameter
  OutputTable(std::string flag, std::string label, std::string description);
  static Parameter
  String(std::string                flag,
         std::string                label,
         std::string                description,
         std::optional<std::string> defaultValue = std::nullopt);
  static Parameter
  Integer(std::string flag, std::string label, std::string description, std::optional<int> defaultValue = std::nullopt);
  static Parameter
  Double(std::string           flag,
         std::string           label,
         std::string           description,
         std::optional<double> defaultValue = std::nullopt);
  static Parameter
  Boolean(std::string flag, std::string label, std::string description);
  /** defaultValue must be one of the choices: 3D Slicer always passes an enumeration. */
  static Parameter
  Enumeration(std::string              flag,
              std::string              label,
              std::string              description,
              std::vector<std::string> choices,
              std::string              defaultValue);

  /** The command fails with a usage error when the option is missing. Not for a Boolean or
   * a parameter with a default, which always has a value. */
  Parameter &
  Required();
  /** May be given several times (`--input a --input b`); images, files and strings only.
   * The Slicer XML cannot express a repeatable image, so it shows a single one. A
   * repeatable input image is a series (one 4D image or a list of 3D volumes): the Slicer
   * XML gives it `type="dynamic-contrast-enhanced"`, so that Slicer offers its 4D volumes
   * (volume sequences, MultiVolumes) and passes the chosen one as a single 4D NRRD file. */
  Parameter &
  Multiple();
  /** Left out of the Slicer XML: for terminal-only options. Not for a required one, which
   * Slicer could then never pass. */
  Parameter &
  HiddenFromSlicer();

  ParameterKind
  Kind() const
  {
    return m_Kind;
  }
  /** The long flag without dashes; also the parameter's name in the Slicer XML. */
  const std::string &
  Flag() const
  {
    return m_Flag;
  }
  const std::string &
  Label() const
  {
    return m_Label;
  }
  const std::string &
  Description() const
  {
    return m_Description;
  }
  /** The default as command-line text ("0", "1e-06", "forward"); none for a Boolean. */
  const std::optional<std::string> &
  Default() const
  {
    return m_Default;
  }
  const std::vector<std::string> &
  Choices() const
  {
    return m_Choices;
  }
  const std::vector<std::string> &
  Extensions() const
  {
    return m_Extensions;
  }
  bool
  IsRequired() const
  {
    return m_Required;
  }
  bool
  IsMultiple() const
  {
    return m_Multiple;
  }
  bool
  IsHiddenFromSlicer() const
  {
    return m_HiddenFromSlicer;
  }
  /** A path, string or choice: read with GetString / GetStrings. */
  bool
  HoldsText() const;

private:
  Parameter(ParameterKind kind, std::string flag, std::string label, std::string description);

  ParameterKind              m_Kind;
  std::string                m_Flag;
  std::string                m_Label;
  std::string                m_Description;
  std::optional<std::string> m_Default;
  std::vector<std::string>   m_Choices;
  std::vector<std::string>   m_Extensions;
  bool                       m_Required{ false };
  bool                       m_Multiple{ false };
  bool                       m_HiddenFromSlicer{ false };
};

/** A titled set of parameters: a section of --help and a `<parameters>` box in Slicer. */
struct ParameterGroup
{
  std::string            label;
  std::string            description;       ///< Slicer's tooltip; the label when empty
  bool                   advanced{ false }; ///< starts collapsed in Slicer
  std::vector<Parameter> parameters;

  ParameterGroup &
  Add(Parameter parameter);
};

enum class ReturnValueKind
{
  Integer,
  Double,
  Boolean,
  String
};

/** A scalar result: written as `name = value` to Slicer's --returnparameterfile (or to
 * stdout) by WriteReturnParameters, shown read-only in Slicer. */
struct ReturnValue
{
  ReturnValueKind kind;
  std::string     name;
  std::string     label;
  std::string     description;

  static ReturnValue
  Integer(std::string name, std::string label, std::string description);
  static ReturnValue
  Double(std::string name, std::string label, std::string description);
  static ReturnValue
  Boolean(std::string name, std::string label, std::string description);
  static ReturnValue
  String(std::string name, std::string label, std::string description);
};

/** What a usage example does, and the command line that does it. */
struct CommandExample
{
  std::string what;
  std::string command;
};

struct CommandDescription
{
  std::string                 name;        ///< the executable's file name
  std::string                 title;       ///< Slicer's module title
  std::string                 category;    ///< Slicer's menu; dots nest ("fMRI.VoxelKL")
  std::string                 synopsis;    ///< one line
  std::vector<std::string>    description; ///< paragraphs
  std::vector<CommandExample> examples;    ///< at least one: --help teaches by example
  // Slicer's Help & Acknowledgement panel; emitted even when empty.
  std::string documentationUrl;
  std::string license;
  std::string contributor{ "VoxelKL developers" };
  std::string acknowledgements;

  /** A deque so that the reference AddGroup returns stays valid after later AddGroups. */
  std::deque<ParameterGroup> groups;
  std::vector<ReturnValue>   returnValues;

  ParameterGroup &
  AddGroup(std::string label, std::string description = "");
  CommandDescription &
  AddReturnValue(ReturnValue value);

  /** Throws std::logic_error unless name, title, category, synopsis and an example are
   * given and every flag and return value name is an identifier, unique, and none of the
   * standard options (help, h, version, xml, returnparameterfile,
   * processinformationaddress). */
  void
  Validate() const;
};

/** The project version (CMake's PROJECT_VERSION), reported by --version, --help and the
 * Slicer XML. */
std::string
ProjectVersion();

/** A VoxelKL executable's description with what all of them share (3D Slicer category,
 * license, acknowledgements) filled in. */
CommandDescription
MakeCommandDescription(std::string name, std::string title, std::string synopsis);

} // namespace voxelkl

#endif
