// libFuzzer target for the `.dlx` artifact reader: bytes -> parseArtifact.
// Parsing must never crash, hang or allocate by a size the file declares,
// and fails only with InvalidArgument naming the file. An artifact it
// accepts must serialize, and that file must parse and serialize to the
// same bytes again.
//
// Each input is parsed twice: as it is (the header's checks, then the
// content hash, which a mutation almost always breaks), and with the
// header's file size set to the input's and the hash not verified
// (ParseOptions::verify_hash), so that mutations reach the section table,
// the metadata, the plans and the tensors behind the hash.
//
// Build and run: scripts/fuzz.sh SECONDS (the `asan` preset). The seeds in
// corpus/artifact are written by artifact_tests (DLC_UPDATE_FUZZ_SEEDS=1).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "runtime/artifact/artifact.h"

namespace {

using dlc::runtime::artifact::Artifact;

[[noreturn]] void fail(std::string_view what, const absl::Status& status = absl::OkStatus()) {
  std::cerr << what << (status.ok() ? "" : ": ") << (status.ok() ? "" : status.ToString()) << "\n";
  std::abort();
}

void check(absl::StatusOr<Artifact> parsed) {
  if (!parsed.ok()) {
    if (parsed.status().code() != absl::StatusCode::kInvalidArgument)
      fail("the reader failed with a code other than InvalidArgument", parsed.status());
    if (!std::string(parsed.status().message()).starts_with("fuzz.dlx: "))
      fail("the message does not name the file", parsed.status());
    return;
  }
  absl::StatusOr<std::string> once = dlc::runtime::artifact::serializeArtifact(*std::move(parsed));
  if (!once.ok()) fail("the writer rejects an artifact the reader accepted", once.status());
  absl::StatusOr<Artifact> reread = dlc::runtime::artifact::parseArtifact(*once, "fuzz.dlx");
  if (!reread.ok()) fail("the reader rejects what the writer wrote", reread.status());
  absl::StatusOr<std::string> twice = dlc::runtime::artifact::serializeArtifact(*std::move(reread));
  if (!twice.ok()) fail("the writer rejects what it wrote and read back", twice.status());
  if (*twice != *once) fail("an artifact changes on a second round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check(dlc::runtime::artifact::parseArtifact(bytes, "fuzz.dlx"));
  if (size >= 24) {
    std::string sized(bytes);
    for (int i = 0; i < 8; ++i) sized[16 + i] = static_cast<char>((uint64_t{size} >> (8 * i)) & 0xff);
    check(dlc::runtime::artifact::parseArtifact(sized, "fuzz.dlx",
                                                dlc::runtime::artifact::ParseOptions{.verify_hash = false}));
  }
  return 0;
}
