// libFuzzer target for the tensor-file readers: bytes -> parseSafetensors,
// parseNpy and parseIdx. Reading must never crash, hang or allocate by a
// size the file declares, and fails only with InvalidArgument (or, for IDX,
// DataLoss) naming the file. A file a reader accepts must write back (the
// writers for safetensors and .npy; the format itself for IDX, which has
// one encoding) and read back the same.
//
// Every input goes to all three readers: each rejects the others' files at
// its first check (a magic or a header length), so this costs little and
// lets the seeds be plain files without a selector byte. The gzip path of
// readIdx (files only) is zlib's and is not fuzzed here.
//
// Build and run: scripts/fuzz.sh SECONDS (the `asan` preset). The seeds in
// corpus/tensor_file are written by tests/fuzz/tensor_file_seeds.py.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <span>
#include <string>
#include <string_view>

#include "runtime/data/idx.h"
#include "runtime/tensor_file.h"

namespace {

using dlc::runtime::NamedTensors;
using dlc::runtime::Tensor;
using dlc::runtime::TensorMetadata;

[[noreturn]] void fail(std::string_view what, const absl::Status& status = absl::OkStatus()) {
  std::cerr << what << (status.ok() ? "" : ": ") << (status.ok() ? "" : status.ToString()) << "\n";
  std::abort();
}

std::span<const std::byte> asBytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// A rejection has an expected code and a message that starts with the name.
void checkError(const absl::Status& status, std::string_view name, bool data_loss_ok) {
  bool code_ok = status.code() == absl::StatusCode::kInvalidArgument ||
                 (data_loss_ok && status.code() == absl::StatusCode::kDataLoss);
  if (!code_ok) fail("a reader failed with an unexpected code", status);
  if (!std::string(status.message()).starts_with(std::string(name) + ": "))
    fail("the message does not name the file", status);
}

bool sameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && a.byteSize() == b.byteSize() &&
         (a.byteSize() == 0 || std::memcmp(a.data(), b.data(), a.byteSize()) == 0);
}

void safetensors(std::span<const std::byte> bytes) {
  TensorMetadata metadata;
  absl::StatusOr<NamedTensors> parsed = dlc::runtime::parseSafetensors(bytes, "fuzz.safetensors", &metadata);
  if (!parsed.ok()) return checkError(parsed.status(), "fuzz.safetensors", false);
  absl::StatusOr<std::string> once = dlc::runtime::serializeSafetensors(*parsed, metadata);
  if (!once.ok()) fail("the safetensors writer rejects what the reader accepted", once.status());
  TensorMetadata metadata2;
  absl::StatusOr<NamedTensors> reread = dlc::runtime::parseSafetensors(asBytes(*once), "again", &metadata2);
  if (!reread.ok()) fail("the safetensors reader rejects what the writer wrote", reread.status());
  if (metadata2 != metadata || reread->size() != parsed->size()) fail("safetensors changed on a round trip");
  for (size_t i = 0; i < parsed->size(); ++i)
    if ((*reread)[i].first != (*parsed)[i].first || !sameTensor((*reread)[i].second, (*parsed)[i].second))
      fail("a safetensors tensor changed on a round trip");
  absl::StatusOr<std::string> twice = dlc::runtime::serializeSafetensors(*reread, metadata2);
  if (!twice.ok() || *twice != *once) fail("a safetensors file changes on a second round trip");
}

void npy(std::span<const std::byte> bytes) {
  absl::StatusOr<Tensor> parsed = dlc::runtime::parseNpy(bytes, "fuzz.npy");
  if (!parsed.ok()) return checkError(parsed.status(), "fuzz.npy", false);
  absl::StatusOr<std::string> once = dlc::runtime::serializeNpy(*parsed);
  if (!once.ok()) fail("the .npy writer rejects what the reader accepted", once.status());
  absl::StatusOr<Tensor> reread = dlc::runtime::parseNpy(asBytes(*once), "again");
  if (!reread.ok()) fail("the .npy reader rejects what the writer wrote", reread.status());
  if (!sameTensor(*reread, *parsed)) fail("a .npy tensor changed on a round trip");
  absl::StatusOr<std::string> twice = dlc::runtime::serializeNpy(*reread);
  if (!twice.ok() || *twice != *once) fail("a .npy file changes on a second round trip");
}

// IDX has one encoding of each array: what is accepted is the input again.
void idx(std::span<const std::byte> bytes) {
  absl::StatusOr<dlc::runtime::IdxArray> parsed = dlc::runtime::parseIdx(bytes, "fuzz.idx");
  if (!parsed.ok()) return checkError(parsed.status(), "fuzz.idx", true);
  std::string out = {0, 0, 8, static_cast<char>(parsed->dims.size())};
  for (int64_t d : parsed->dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((d >> shift) & 0xff));
  out.append(reinterpret_cast<const char*>(parsed->data.data()), parsed->data.size());
  if (out.size() != bytes.size() || std::memcmp(out.data(), bytes.data(), out.size()) != 0)
    fail("an accepted IDX file is not its dimensions and data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  safetensors(bytes);
  npy(bytes);
  idx(bytes);
  return 0;
}
