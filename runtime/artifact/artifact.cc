#include "runtime/artifact/artifact.h"

#include <exception>
#include <span>

#include "runtime/artifact/container.h"
#include "runtime/artifact/json_reader.h"
#include "runtime/artifact/meta_codec.h"
#include "runtime/artifact/serialize.h"
#include "runtime/artifact/validate.h"
#include "runtime/atomic_file.h"
#include "support/status_macros.h"
#include "support/strings.h"

#ifndef DLC_VERSION
#define DLC_VERSION "unknown"
#endif

namespace dlc::runtime::artifact {
namespace {

// Far more than any plan needs; bounds what the JSON parser builds.
constexpr size_t kMaxMetaBytes = size_t{256} << 20;

absl::Status withName(std::string_view name, const absl::Status& status) {
  return absl::Status(status.code(), strCat(name, ": ", status.message()));
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag.
std::string_view jsonMessage(const std::exception& e) {
  std::string_view what = e.what();
  if (size_t end = what.find("] "); what.starts_with("[") && end != what.npos) what.remove_prefix(end + 2);
  return what;
}

absl::StatusOr<Json> parseMeta(const Container& container, std::string_view name) {
  for (size_t i = 0; i < container.table.size(); ++i) {
    if (container.table[i].name != "meta") continue;
    if (container.table[i].kind != SectionKind::kMeta)
      return absl::InvalidArgumentError(
          strCat(name, ": section 'meta' holds ", sectionKindName(container.table[i].kind), ", not meta"));
    std::string_view text = container.payloads[i];
    if (text.size() > kMaxMetaBytes)
      return absl::InvalidArgumentError(
          strCat(name, ": section 'meta' is ", text.size(), " bytes, over the limit of ", kMaxMetaBytes));
    try {
      return Json::parse(text.begin(), text.end());
    } catch (const std::bad_alloc&) {
      return absl::ResourceExhaustedError(strCat(name, ": out of memory reading section 'meta'"));
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(strCat(name, ": section 'meta' is not valid JSON: ", jsonMessage(e)));
    }
  }
  return absl::InvalidArgumentError(strCat(name, ": the file has no 'meta' section"));
}

}  // namespace

std::string_view dlcVersion() { return DLC_VERSION; }

std::vector<Section> ArtifactSections::sections() const {
  std::vector<Section> out = {Section{"meta", SectionKind::kMeta, meta}};
  out.insert(out.end(), encoded.sections.begin(), encoded.sections.end());
  return out;
}

absl::StatusOr<ArtifactSections> artifactSections(const Artifact& artifact, std::string_view dlc_version) {
  ArtifactSections out;
  ASSIGN_OR_RETURN(out.encoded, encodeArtifact(artifact));
  try {
    out.meta = out.encoded.meta.dump();
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(strCat("a name or text of the artifact is not valid UTF-8: ", jsonMessage(e)));
  }
  out.dlc_version = std::string(dlc_version);
  return out;
}

absl::StatusOr<std::string> serialize(const Artifact& artifact) {
  RETURN_IF_ERROR(checkArtifact(artifact));
  ASSIGN_OR_RETURN(ArtifactSections sections, artifactSections(artifact, dlcVersion()));
  return writeContainer(sections.dlc_version, sections.sections());
}

absl::StatusOr<std::string> serializeArtifact(Artifact artifact) { return serialize(artifact); }

absl::StatusOr<Artifact> parseArtifact(std::string_view bytes, std::string_view name, const ParseOptions& options) {
  ASSIGN_OR_RETURN(Container container, readContainer(bytes, name, ContainerOptions{options.verify_hash}));
  ASSIGN_OR_RETURN(Json meta, parseMeta(container, name));
  Artifact artifact;
  artifact.format_version = container.format_version;
  artifact.dlc_version = container.dlc_version;
  artifact.content_hash = hex(container.content_hash);
  SectionTable sections(container);
  if (absl::StatusOr<std::string_view> s = sections.take("meta", SectionKind::kMeta, "meta"); !s.ok())
    return withName(name, s.status());
  if (absl::Status s = decodeArtifact(meta, sections, artifact); !s.ok()) return withName(name, s);
  if (absl::Status s = sections.checkAllUsed(); !s.ok()) return withName(name, s);
  if (absl::Status s = checkArtifact(artifact); !s.ok()) return withName(name, s);
  return artifact;
}

absl::Status writeArtifactFile(const std::string& path, const Artifact& artifact) {
  absl::StatusOr<std::string> bytes = serialize(artifact);
  if (!bytes.ok()) return withName(path, bytes.status());
  std::span<const std::byte> chunks[] = {{reinterpret_cast<const std::byte*>(bytes->data()), bytes->size()}};
  return runtime::writeFileAtomically(path, chunks);
}

absl::StatusOr<Artifact> readArtifactFile(const std::string& path) {
  ASSIGN_OR_RETURN(runtime::FileBytes file, runtime::readWholeFile(path));
  return parseArtifact(file.text(), path);
}

}  // namespace dlc::runtime::artifact
